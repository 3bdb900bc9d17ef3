// The one function that talks to the CMS: POST a query to /graphql/, return `data` or throw with the API's message.
import { CMS_URL } from "../config.js";

export class ApiError extends Error {}

export async function graphql(query, variables = {}) {
  let response;
  try {
    response = await fetch(new URL("/graphql/", CMS_URL), {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError(`Could not reach the CMS at ${CMS_URL}. Is it running, and does it allow this site's origin?`);
  }
  let result;
  try {
    result = await response.json();
  } catch {
    throw new ApiError(`The CMS answered ${response.status} without JSON.`);
  }
  if (result.errors?.length) {
    throw new ApiError(result.errors.map((error) => error.message).join(" "));
  }
  return result.data;
}

/** A URL from the API (renditions may be relative to the CMS) made absolute. */
export function cmsUrl(url) {
  return new URL(url, CMS_URL).href;
}

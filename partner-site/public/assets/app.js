// Each HTML page names its view (<body data-view="...">); the view reads its parameters from the address, asks the
// CMS and renders into <main>. Errors are shown to the visitor, in words, never as a blank page.
import { graphql } from "./api.js";
import { PAGE_TYPE, PAGE_TYPES, PUBLICATIONS, RECORDINGS, UPCOMING_TRAININGS, pageQuery } from "./queries.js";
import { eventCard, h, pageContent, pager, publicationCard, recordingCard } from "./render.js";

const parameters = new URLSearchParams(location.search);
const main = document.querySelector("#view");

function pageNumber() {
  const page = Number.parseInt(parameters.get("page") ?? "1", 10);
  return Number.isInteger(page) && page > 0 ? page : 1;
}

function list(heading, connection, card, emptyText, filters) {
  const { items, pagination } = connection;
  return [
    h("p", { class: "count", role: "status" }, `${pagination.total} ${pagination.total === 1 ? "item" : "items"}`),
    items.length ? h("ul", { class: "cards", "aria-label": heading }, items.map((item) => h("li", {}, card(item)))) : h("p", {}, emptyText),
    pager(pagination, filters),
  ];
}

function filterNotice(topic, clearPath) {
  return topic ? h("p", { class: "filter" }, `Topic: ${topic} `, h("a", { href: clearPath }, "(show all)")) : null;
}

const VIEWS = {
  async trainings() {
    const topic = parameters.get("topic");
    const { events } = await graphql(UPCOMING_TRAININGS, { topic, page: pageNumber() });
    return [filterNotice(topic, "./"), ...list("Upcoming trainings", events, eventCard, "No upcoming trainings right now.", { topic })];
  },

  async publications() {
    const topic = parameters.get("topic");
    const search = parameters.get("search") ?? "";
    const { publications } = await graphql(PUBLICATIONS, { topic, search: search || null, page: pageNumber() });
    const form = h(
      "form",
      { class: "search", role: "search" },
      h("label", { for: "search" }, "Search publications"),
      h("input", { id: "search", name: "search", type: "search", value: search }),
      topic ? h("input", { type: "hidden", name: "topic", value: topic }) : null,
      h("button", { type: "submit" }, "Search"),
    );
    return [form, filterNotice(topic, "./"), ...list("Publications", publications, publicationCard, "No publications match.", { topic, search })];
  },

  async recordings() {
    const topic = parameters.get("topic");
    const { recordings } = await graphql(RECORDINGS, { topic, page: pageNumber() });
    return [filterNotice(topic, "./"), ...list("Recordings", recordings, recordingCard, "No recordings yet.", { topic })];
  },

  async event() {
    const slug = parameters.get("slug");
    if (!slug) throw new Error("Which event? This page needs ?slug=… in its address.");
    const { page } = await graphql(pageQuery("TrainingEventPage", "event(slug: $slug)", "$slug: String!"), { slug });
    return page ? show(page) : notFound();
  },

  async page() {
    const path = parameters.get("path") || "/";
    const { page: found } = await graphql(PAGE_TYPE, { path });
    if (!found) return notFound();
    const { page } = await graphql(pageQuery(found.__typename, "page(urlPath: $path)", "$path: String!"), { path });
    return page ? show(page) : notFound();
  },

  // The admin's "Partner site" preview opens /preview/?content_type=app.model&token=…: the draft, rendered exactly
  // as the published page would be.
  async preview() {
    const token = parameters.get("token");
    if (!token) throw new Error("This preview link has no token: open the preview again from the CMS.");
    const model = (parameters.get("content_type") ?? "").split(".").pop();
    const typename = PAGE_TYPES.find((name) => name.toLowerCase() === model) ?? "Page";
    const { page } = await graphql(pageQuery(typename, "preview(token: $token)", "$token: String!"), { token });
    if (!page) return notFound();
    return [h("p", { class: "preview-banner", role: "note" }, "Preview of a draft: not published."), show(page)];
  },
};

function show(page) {
  document.title = `${page.title} · ${document.title.split(" · ").pop()}`;
  return pageContent(page);
}

function notFound() {
  return [h("h1", {}, "Not found"), h("p", {}, "This page does not exist, or is not published.")];
}

async function start() {
  const view = VIEWS[document.body.dataset.view];
  main.setAttribute("aria-busy", "true");
  try {
    main.replaceChildren(...[await view()].flat().filter(Boolean));
  } catch (error) {
    main.replaceChildren(h("div", { class: "error", role: "alert" }, h("p", {}, "Sorry, this could not be loaded."), h("p", {}, error.message)));
  } finally {
    main.removeAttribute("aria-busy");
  }
}

start();

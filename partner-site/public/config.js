// The CMS this site reads. `python serve.py --cms URL` serves its own /config.js instead of this file; on a static
// host, edit this line. The CMS must list this site's origin in GRAPHQL_CORS_ALLOWED_ORIGINS.
export const CMS_URL = "http://127.0.0.1:8000";

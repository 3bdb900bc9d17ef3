// DOM builders for what the API returns. Text always goes in as text (textContent); the only HTML inserted is the
// API's rich text (RichTextBlock.html, abstract, transcript), which the CMS has already sanitised, and the server's
// Content-Security-Policy keeps any script in it from running.
import { cmsUrl } from "./api.js";

const LOCALE = document.documentElement.lang || undefined;
const ROOT = new URL("../", import.meta.url); // the site's root, wherever it is deployed

const LINK_ATTRIBUTES = new Set(["href", "src"]);
const SAFE_PROTOCOLS = new Set(["http:", "https:", "mailto:", "tel:"]);

/** `url` if it is a web, mail or phone link; null for anything else (a `javascript:` URL never becomes a link). */
function safeUrl(url) {
  try {
    return SAFE_PROTOCOLS.has(new URL(url, location.href).protocol) ? url : null;
  } catch {
    return null;
  }
}

/** An element: `h("a", { href }, "text", child)`. Strings become text nodes, never HTML; links must be http(s). */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (let [name, value] of Object.entries(attributes)) {
    if (LINK_ATTRIBUTES.has(name) && value) value = safeUrl(String(value));
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") element.className = value;
    else element.setAttribute(name, value === true ? "" : value);
  }
  element.append(...children.flat().filter((child) => child !== null && child !== undefined && child !== ""));
  return element;
}

/** Rich text from the API (already sanitised by the CMS). */
function richText(html, className = "rich-text") {
  const element = h("div", { class: className });
  element.innerHTML = html;
  return element;
}

/** A link to one of this site's own views, e.g. link("event/", { slug }). */
export function siteUrl(path, parameters = {}) {
  const url = new URL(path, ROOT);
  for (const [name, value] of Object.entries(parameters)) {
    if (value !== null && value !== undefined && value !== "") url.searchParams.set(name, value);
  }
  return url.href;
}

// --- dates, in the event's own time zone --------------------------------------------------------------------------

function format(date, timeZone, options) {
  return new Intl.DateTimeFormat(LOCALE, { timeZone, ...options }).format(date);
}

function zoneName(date, timeZone) {
  const parts = new Intl.DateTimeFormat(LOCALE, { timeZone, timeZoneName: "short" }).formatToParts(date);
  return parts.find((part) => part.type === "timeZoneName")?.value ?? timeZone;
}

/** "Mon, Jan 4, 2027, 1:00 – 2:30 PM EST": the wall-clock time where the event happens, with its zone's name. */
export function when(startsAt, endsAt, timeZone) {
  const start = new Date(startsAt);
  const end = new Date(endsAt);
  const day = { weekday: "short", year: "numeric", month: "short", day: "numeric" };
  const clock = { hour: "numeric", minute: "2-digit" };
  const sameDay = format(start, timeZone, day) === format(end, timeZone, day);
  const text = sameDay
    ? `${format(start, timeZone, day)}, ${format(start, timeZone, clock)} – ${format(end, timeZone, clock)}`
    : `${format(start, timeZone, { ...day, ...clock })} – ${format(end, timeZone, { ...day, ...clock })}`;
  return h("time", { datetime: startsAt }, `${text} ${zoneName(start, timeZone)}`);
}

function calendarDate(isoDate) {
  // A date without a time: format it in UTC so no zone moves it to the day before.
  const date = new Date(`${isoDate}T00:00:00Z`);
  return h("time", { datetime: isoDate }, format(date, "UTC", { year: "numeric", month: "long", day: "numeric" }));
}

// --- small parts ------------------------------------------------------------------------------------------------

const DELIVERY_MODES = { LIVE_VIRTUAL: "Live virtual", IN_PERSON: "In person", HYBRID: "Hybrid" };
const STATUSES = { SCHEDULED: "Scheduled", POSTPONED: "Postponed", CANCELLED: "Cancelled" };

function topicList(topics, listPath) {
  if (!topics?.length) return null;
  return h(
    "ul",
    { class: "tags", "aria-label": "Topics" },
    topics.map((topic) => h("li", {}, h("a", { href: siteUrl(listPath, { topic: topic.slug }) }, topic.name))),
  );
}

function facts(pairs) {
  const list = h("dl", { class: "facts" });
  for (const [term, value] of pairs) {
    if (value === null || value === undefined || value === "") continue;
    list.append(h("div", {}, h("dt", {}, term), h("dd", {}, value)));
  }
  return list;
}

function statusBadge(status) {
  return status === "SCHEDULED" ? null : h("strong", { class: `badge badge-${status.toLowerCase()}` }, STATUSES[status]);
}

function fileSize(bytes) {
  if (!bytes) return "";
  return bytes > 1_000_000 ? `${(bytes / 1_000_000).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1000))} KB`;
}

function calendarLinks(event) {
  return h(
    "ul",
    { class: "actions", "aria-label": "Registration and calendar" },
    safeUrl(event.registrationUrl) && event.status !== "CANCELLED"
      ? h("li", {}, h("a", { class: "button", href: event.registrationUrl }, "Register"))
      : null,
    event.icalUrl ? h("li", {}, h("a", { href: event.icalUrl }, "Add to calendar (.ics)")) : null,
    event.googleCalendarUrl ? h("li", {}, h("a", { href: event.googleCalendarUrl }, "Add to Google Calendar")) : null,
  );
}

// --- cards for the lists --------------------------------------------------------------------------------------

export function eventCard(event) {
  return h(
    "article",
    { class: "card event-card" },
    h("h3", {}, h("a", { href: siteUrl("event/", { slug: event.slug }) }, event.title), " ", statusBadge(event.status)),
    h("p", { class: "when" }, when(event.startsAt, event.endsAt, event.timeZone), event.isRecurring ? " (repeats)" : ""),
    facts([
      ["Format", DELIVERY_MODES[event.deliveryMode]],
      ["Location", event.location || (event.deliveryMode === "LIVE_VIRTUAL" ? "Online" : "")],
    ]),
    h("p", {}, event.summary),
    topicList(event.topics, "./"),
    calendarLinks(event),
  );
}

export function publicationCard(publication) {
  const image = publication.coverImage;
  return h(
    "article",
    { class: "card publication-card" },
    image
      ? h("img", {
          src: cmsUrl(image.rendition.url),
          width: image.rendition.width,
          height: image.rendition.height,
          alt: image.alt,
          loading: "lazy",
        })
      : null,
    h("h3", {}, publication.title),
    h("p", { class: "meta" }, calendarDate(publication.publishedOn), authors(publication.authors)),
    richText(publication.abstract),
    topicList(publication.topics, "publications/"),
    publication.documentUrl
      ? h(
          "p",
          {},
          h(
            "a",
            { class: "button", href: publication.documentUrl },
            `Download ${(publication.document?.fileExtension || "file").toUpperCase()}`,
            publication.document?.fileSize ? ` (${fileSize(publication.document.fileSize)})` : "",
          ),
        )
      : null,
  );
}

function authors(people) {
  return people?.length ? ` · ${people.map((person) => person.name).join(", ")}` : "";
}

export function recordingCard(recording) {
  return h(
    "article",
    { class: "card recording-card" },
    h("h3", {}, recording.title),
    h("p", { class: "meta" }, calendarDate(recording.recordedOn), ` · ${recording.duration} min`, authors(recording.presenters)),
    h("p", {}, recording.summary),
    recording.relatedEvent
      ? h(
          "p",
          {},
          "Recorded at ",
          h("a", { href: siteUrl("event/", { slug: recording.relatedEvent.slug }) }, recording.relatedEvent.title),
        )
      : null,
    topicList(recording.topics, "recordings/"),
    h(
      "ul",
      { class: "actions" },
      recording.videoUrl ? h("li", {}, h("a", { class: "button", href: recording.videoUrl }, "Watch")) : null,
      recording.captionsUrl ? h("li", {}, h("a", { href: recording.captionsUrl }, "Captions (WebVTT)")) : null,
    ),
  );
}

// --- StreamField blocks ---------------------------------------------------------------------------------------

const BLOCKS = {
  HeadingBlock: (block) => h(/^h[2-6]$/.test(block.level) ? block.level : "h2", {}, block.text),
  RichTextBlock: (block) => richText(block.html),
  ImageBlock: (block) =>
    block.image
      ? h(
          "figure",
          {},
          h("img", {
            src: cmsUrl(block.image.rendition.url),
            width: block.image.rendition.width,
            height: block.image.rendition.height,
            alt: block.decorative ? "" : block.alt,
            loading: "lazy",
          }),
        )
      : null,
  QuoteBlock: (block) =>
    h("figure", { class: "quote" }, h("blockquote", {}, h("p", {}, block.quote)), block.attribution ? h("figcaption", {}, block.attribution) : null),
  CallToActionBlock: (block) => h("p", {}, h("a", { class: "button", href: block.url }, block.label)),
  DocumentLinkBlock: (block) =>
    block.document
      ? h(
          "p",
          {},
          h("a", { href: block.document.url }, block.label),
          ` (${block.document.fileExtension.toUpperCase()}${block.document.fileSize ? `, ${fileSize(block.document.fileSize)}` : ""})`,
        )
      : null,
  TopicListBlock: (block) =>
    h(
      "section",
      { class: "topic-list" },
      block.heading ? h("h2", {}, block.heading) : null,
      h(
        "ul",
        {},
        block.topics.map((topic) => h("li", {}, h("a", { href: siteUrl("./", { topic: topic.slug }) }, topic.name), topic.description ? ` – ${topic.description}` : "")),
      ),
    ),
  ChapterBlock: (block) =>
    h(
      "section",
      { class: "chapter", id: block.id ? `chapter-${block.id}` : null },
      h("h2", {}, block.title),
      block.summary ? h("p", { class: "lead" }, block.summary) : null,
      blocks(block.body),
    ),
};

/** A StreamField, block by block; a block type this site does not know yet is left out, not shown broken. */
export function blocks(items = []) {
  return h("div", { class: "blocks" }, items.map((block) => BLOCKS[block.__typename]?.(block) ?? null));
}

// --- whole pages ----------------------------------------------------------------------------------------------

function eventPage(event) {
  return [
    h("p", { class: "when lead" }, when(event.startsAt, event.endsAt, event.timeZone), " ", statusBadge(event.status)),
    h("p", { class: "lead" }, event.summary),
    facts([
      ["Format", DELIVERY_MODES[event.deliveryMode]],
      ["Location", event.location || (event.deliveryMode === "LIVE_VIRTUAL" ? "Online" : "")],
      ["Time zone", event.timeZone],
      ["Audience", event.audience],
      ["Facilitators", event.facilitators.map((person) => [person.name, person.role].filter(Boolean).join(", ")).join("; ")],
    ]),
    calendarLinks(event),
    event.isRecurring && event.sessions.length
      ? h(
          "section",
          {},
          h("h2", {}, "Sessions"),
          h(
            "ol",
            { class: "sessions" },
            event.sessions.map((session) =>
              h("li", {}, when(session.startsAt, session.endsAt, event.timeZone), " ", statusBadge(session.status), session.note ? ` – ${session.note}` : ""),
            ),
          ),
        )
      : null,
    blocks(event.body),
    topicList(event.topics, "./"),
  ];
}

const PAGES = {
  TrainingEventPage: eventPage,
  ProgramPage: (page) => [h("p", { class: "lead" }, page.summary), blocks(page.body), topicList(page.topics, "./")],
  HomePage: (page) => [h("p", { class: "lead" }, page.intro), blocks(page.body)],
  CoursePage: (page) => [
    h("p", { class: "lead" }, page.summary),
    facts([
      ["Length", `${page.durationMinutes} minutes`],
      ["Audience", page.audience],
      ["Cost", page.isFree ? "Free" : ""],
    ]),
    page.courseUrl ? h("p", {}, h("a", { class: "button", href: page.courseUrl }, "Start the course")) : null,
    blocks(page.body),
  ],
  GuidePage: (page) => [h("p", { class: "lead" }, page.summary), blocks(page.chapters)],
  PublicationPage: (page) => [publicationCard(page)],
  RecordingPage: (page) => [recordingCard(page), page.transcript ? h("section", {}, h("h2", {}, "Transcript"), richText(page.transcript)) : null],
};

/** Any page the API returns, by its type: the event, program and preview views all come through here. */
export function pageContent(page) {
  const body = PAGES[page.__typename]?.(page) ?? [];
  return h("article", { class: `page page-${page.__typename}` }, h("h1", {}, page.title), ...body);
}

/** Previous/next links for a paginated list. */
export function pager(pagination, parameters) {
  if (pagination.totalPages <= 1) return null;
  const link = (page, label, rel) => (page ? h("a", { href: siteUrl(location.pathname, { ...parameters, page }), rel }, label) : null);
  return h(
    "nav",
    { class: "pager", "aria-label": "Pages" },
    link(pagination.prevPage, "← Previous", "prev"),
    h("span", {}, `Page ${pagination.currentPage} of ${pagination.totalPages}`),
    link(pagination.nextPage, "Next →", "next"),
  );
}

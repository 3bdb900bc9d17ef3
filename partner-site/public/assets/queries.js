// The queries the pages send. A page and its preview share one fragment per page type, so a draft is rendered from
// exactly the fields the published page is.

const FRAGMENTS = {
  Blocks: `fragment Blocks on StreamFieldBlock {
    __typename id blockType
    ... on HeadingBlock { text level }
    ... on RichTextBlock { html }
    ... on ImageBlock { alt decorative image { rendition(spec: "width-800") { url width height } } }
    ... on QuoteBlock { quote attribution }
    ... on CallToActionBlock { label url }
    ... on DocumentLinkBlock { label document { url fileExtension fileSize } }
    ... on TopicListBlock { heading topics { name slug description } }
  }`,
  // Inside a guide's chapters: the text blocks only, which keeps a whole guide within the API's cost limit.
  ChapterBlocks: `fragment ChapterBlocks on StreamFieldBlock {
    __typename id blockType
    ... on HeadingBlock { text level }
    ... on RichTextBlock { html }
    ... on QuoteBlock { quote attribution }
    ... on CallToActionBlock { label url }
  }`,
  EventCard: `fragment EventCard on TrainingEventPage {
    id title slug summary startsAt endsAt timeZone status deliveryMode location isRecurring
    registrationUrl icalUrl googleCalendarUrl
    topics { name slug }
  }`,
  PublicationCard: `fragment PublicationCard on PublicationPage {
    id title slug publishedOn abstract documentUrl
    document { fileExtension fileSize }
    authors { name }
    topics { name slug }
    coverImage { alt rendition(spec: "fill-400x300") { url width height } }
  }`,
  RecordingCard: `fragment RecordingCard on RecordingPage {
    id title slug summary recordedOn duration videoUrl captionsUrl
    presenters { name }
    topics { name slug }
    relatedEvent { title slug }
  }`,
  // One per page type a partner site shows, named <type>Fields (see pageQuery).
  TrainingEventPageFields: `fragment TrainingEventPageFields on TrainingEventPage {
    ...EventCard audience
    sessions(limit: 10) { startsAt endsAt status changed note }
    facilitators { name role organization }
    body { ...Blocks }
  }`,
  ProgramPageFields: `fragment ProgramPageFields on ProgramPage { summary topics { name slug } body { ...Blocks } }`,
  HomePageFields: `fragment HomePageFields on HomePage { intro body { ...Blocks } }`,
  CoursePageFields: `fragment CoursePageFields on CoursePage {
    summary durationMinutes audience courseUrl isFree topics { name slug } body { ...Blocks }
  }`,
  GuidePageFields: `fragment GuidePageFields on GuidePage {
    summary chapters { __typename id blockType ... on ChapterBlock { title summary body { ...ChapterBlocks } } }
  }`,
  PublicationPageFields: `fragment PublicationPageFields on PublicationPage { ...PublicationCard }`,
  RecordingPageFields: `fragment RecordingPageFields on RecordingPage { ...RecordingCard transcript }`,
};

/** The operation with the fragments it spreads, directly or through other fragments (GraphQL refuses unused ones). */
function withFragments(operation) {
  const needed = new Set();
  const visit = (text) => {
    for (const [, name] of text.matchAll(/\.\.\.([A-Z]\w*)/g)) {
      if (!needed.has(name)) {
        needed.add(name);
        visit(FRAGMENTS[name]);
      }
    }
  };
  visit(operation);
  return [operation, ...[...needed].map((name) => FRAGMENTS[name])].join("\n");
}

/** The page types this site renders in full, by GraphQL type name. */
export const PAGE_TYPES = Object.keys(FRAGMENTS)
  .filter((name) => name.endsWith("PageFields"))
  .map((name) => name.replace(/Fields$/, ""));

/**
 * A query for one page of a known type, through `field` (e.g. "preview(token: $token)") with `variables`.
 * Asking only for the type's own fields keeps the query well under the API's cost limit.
 */
export function pageQuery(typename, field, variables) {
  const fields = PAGE_TYPES.includes(typename) ? `...${typename}Fields` : "";
  return withFragments(`query (${variables}) { page: ${field} { __typename id title slug urlPath ${fields} } }`);
}

export const PAGE_TYPE = `query ($path: String!) { page(urlPath: $path) { __typename } }`;

export const UPCOMING_TRAININGS = withFragments(`
  query UpcomingTrainings($topic: String, $page: Int) {
    events(upcoming: true, topic: $topic, page: $page, perPage: 20) {
      items { ...EventCard }
      pagination { total currentPage totalPages nextPage prevPage }
    }
  }`);

export const PUBLICATIONS = withFragments(`
  query Publications($search: String, $topic: String, $page: Int) {
    publications(search: $search, topic: $topic, page: $page, perPage: 20) {
      items { ...PublicationCard }
      pagination { total currentPage totalPages nextPage prevPage }
    }
  }`);

export const RECORDINGS = withFragments(`
  query Recordings($topic: String, $page: Int) {
    recordings(topic: $topic, page: $page, perPage: 20) {
      items { ...RecordingCard }
      pagination { total currentPage totalPages nextPage prevPage }
    }
  }`);

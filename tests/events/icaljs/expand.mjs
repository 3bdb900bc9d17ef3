// Expands every event of an iCalendar file the way Thunderbird does (Mozilla ical.js), for the cross-parser tests.
// Usage: node expand.mjs <file.ics> <window start ISO> <window end ISO>
// Prints JSON: [{uid, start, end, status}] with start/end as UTC "YYYY-MM-DDTHH:MM:SSZ", sorted.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const [file, windowStart, windowEnd] = process.argv.slice(2);
const calendar = new ICAL.Component(ICAL.parse(readFileSync(file, "utf8")));

// Times are resolved through the VTIMEZONEs embedded in the feed, as Thunderbird does for unknown zones.
for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(new ICAL.Timezone(vtimezone));
}

const toUtc = (time) => time.convertToZone(ICAL.Timezone.utcTimezone).toString().replace(/Z?$/, "Z");
const from = ICAL.Time.fromDateTimeString(windowStart.replace(/Z$/, ""), null);
from.zone = ICAL.Timezone.utcTimezone;
const until = ICAL.Time.fromDateTimeString(windowEnd.replace(/Z$/, ""), null);
until.zone = ICAL.Timezone.utcTimezone;

const masters = new Map();
const exceptions = [];
for (const vevent of calendar.getAllSubcomponents("vevent")) {
  // Exceptions are related below by UID, as Thunderbird does. Without `exceptions`, ICAL.Event relates every
  // RECURRENCE-ID component of the calendar to each event, whatever its UID, keyed by local time alone.
  const event = new ICAL.Event(vevent, { exceptions: [] });
  if (event.isRecurrenceException()) exceptions.push(event);
  else masters.set(event.uid, event);
}
for (const exception of exceptions) {
  const master = masters.get(exception.uid);
  if (master) master.relateException(exception);
  else masters.set(exception.uid + "#" + exception.recurrenceId, exception);
}

const out = [];
const emit = (event, details) => {
  const start = details ? details.startDate : event.startDate;
  const end = details ? details.endDate : event.endDate;
  const item = details ? details.item : event;
  if (end.compare(from) <= 0 || start.compare(until) >= 0) return;
  const status = item.component.getFirstPropertyValue("status") || "";
  out.push({ uid: event.uid, start: toUtc(start), end: toUtc(end), status });
};
for (const event of masters.values()) {
  if (!event.isRecurring()) {
    emit(event, null);
    continue;
  }
  const iterator = event.iterator();
  for (let next = iterator.next(); next; next = iterator.next()) {
    const details = event.getOccurrenceDetails(next);
    if (details.startDate.compare(until) >= 0 && next.compare(until) >= 0) break;
    emit(event, details);
  }
}
out.sort((a, b) => (a.uid + a.start).localeCompare(b.uid + b.start));
process.stdout.write(JSON.stringify(out));

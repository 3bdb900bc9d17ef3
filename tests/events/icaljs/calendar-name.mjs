// Prints the calendar's name as Thunderbird's parser (Mozilla ical.js) reads it, for the cross-parser tests.
// Usage: node calendar-name.mjs <file.ics>   Prints JSON: {"name": ..., "x-wr-calname": ...}
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const calendar = new ICAL.Component(ICAL.parse(readFileSync(process.argv[2], "utf8")));
const names = {};
for (const property of ["name", "x-wr-calname"]) names[property] = calendar.getFirstPropertyValue(property);
process.stdout.write(JSON.stringify(names));

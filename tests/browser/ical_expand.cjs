// Reads an iCalendar feed on stdin and prints what ical.js (Mozilla's parser,
// used by Thunderbird and many web calendars) makes of it, as JSON.
const ICAL = require("ical.js");
const fs = require("fs");

const root = new ICAL.Component(ICAL.parse(fs.readFileSync(0, "utf8")));
for (const zone of root.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(new ICAL.Timezone(zone));
}
const events = root.getAllSubcomponents("vevent").map((component) => {
  const event = new ICAL.Event(component);
  return {
    uid: event.uid,
    summary: event.summary,
    status: component.getFirstPropertyValue("status"),
    sequence: event.sequence,
    tzid: event.startDate.zone ? event.startDate.zone.tzid : null,
    local_start: event.startDate.toString(),
    utc_start: event.startDate.toJSDate().toISOString(),
    utc_end: event.endDate.toJSDate().toISOString(),
    all_day: event.startDate.isDate,
  };
});
process.stdout.write(JSON.stringify({
  name: root.getFirstPropertyValue("x-wr-calname"),
  refresh: String(root.getFirstPropertyValue("refresh-interval")),
  events,
}));

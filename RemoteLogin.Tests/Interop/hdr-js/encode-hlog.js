// Writes an HdrHistogram log with hdr-histogram-js's own encoder and log writer, an implementation independent of
// ours, so our HistogramLogReader is shown reading a file it did not write.
// Usage: node encode-hlog.js SPEC.json > FILE.hlog, where SPEC.json holds
//   { "startTimeMsec": N, "histograms": [ { "tag": "" or NAME, "startTimeStampMsec": N, "endTimeStampMsec": N,
//     "lowestDiscernibleValue": N, "highestTrackableValue": N, "numberOfSignificantValueDigits": N,
//     "values": [ [VALUE, COUNT], .. ] }, .. ] }
// Starts are written relative to the StartTime line with no BaseTime line, as Java's writer does when it is given a
// base time: readers take a start far before StartTime for a relative one.
"use strict";
const fs = require("fs");
const { build, HistogramLogWriter } = require("hdr-histogram-js");

const path = process.argv[2];
if (!path) {
    console.error("usage: node encode-hlog.js SPEC.json");
    process.exit(2);
}
const spec = JSON.parse(fs.readFileSync(path, "utf8"));
let log = "";
const writer = new HistogramLogWriter((text) => { log += text; });
writer.outputLogFormatVersion();
writer.outputStartTime(spec.startTimeMsec);
writer.baseTime = spec.startTimeMsec;
writer.outputLegend();
for (const line of spec.histograms) {
    // 64-bit counts (doubles, exact to 2^53), the pure-JS histogram: the encoding under test is the library's own.
    const histogram = build({
        bitBucketSize: 64,
        lowestDiscernibleValue: line.lowestDiscernibleValue,
        highestTrackableValue: line.highestTrackableValue,
        numberOfSignificantValueDigits: line.numberOfSignificantValueDigits,
    });
    for (const [value, count] of line.values) {
        histogram.recordValueWithCount(value, count);
    }
    if (line.tag) {
        histogram.tag = line.tag;
    }
    histogram.startTimeStampMsec = line.startTimeStampMsec;
    histogram.endTimeStampMsec = line.endTimeStampMsec;
    writer.outputIntervalHistogram(histogram);
}
process.stdout.write(log);

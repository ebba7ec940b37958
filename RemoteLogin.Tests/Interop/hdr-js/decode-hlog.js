// Reads an HdrHistogram log with hdr-histogram-js's own log reader, an implementation independent of ours, and prints
// one JSON object per histogram: its tag, count and percentiles, in nanoseconds as the library reports them and in
// microseconds rounded the way LatencySummary.Micros rounds (3 significant digits, half up).
// Usage: node decode-hlog.js FILE.hlog
"use strict";
const fs = require("fs");
const { HistogramLogReader } = require("hdr-histogram-js");

const NO_TAG = "NO TAG"; // what the reader calls a line without Tag=

// The power of ten by multiplying, as in C#, so both land on the same double.
function micros(nanos) {
    let unit = 1;
    while (nanos >= 1000 * unit) {
        unit *= 10;
    }
    return (Math.round(nanos / unit) * unit) / 1000;
}

const path = process.argv[2];
if (!path) {
    console.error("usage: node decode-hlog.js FILE.hlog");
    process.exit(2);
}
const content = fs.readFileSync(path, "utf8");
// Counts in doubles (exact to 2^53): a merged histogram's slot may pass 2^32, which the default 32-bit one would wrap.
const reader = new HistogramLogReader(content, 64);
const histograms = [];
for (let histogram; (histogram = reader.nextIntervalHistogram()) !== null;) {
    const nanos = {
        mean: histogram.mean,
        p50: histogram.getValueAtPercentile(50),
        p90: histogram.getValueAtPercentile(90),
        p99: histogram.getValueAtPercentile(99),
        p999: histogram.getValueAtPercentile(99.9),
        p9999: histogram.getValueAtPercentile(99.99),
        max: histogram.maxValue,
    };
    histograms.push({
        tag: histogram.tag === NO_TAG ? "" : histogram.tag,
        startTimeStampMsec: histogram.startTimeStampMsec,
        endTimeStampMsec: histogram.endTimeStampMsec,
        totalCount: histogram.totalCount,
        lowestDiscernibleValue: histogram.lowestDiscernibleValue,
        highestTrackableValue: histogram.highestTrackableValue,
        numberOfSignificantValueDigits: histogram.numberOfSignificantValueDigits,
        nanos,
        micros: Object.fromEntries(Object.entries(nanos).map(([name, value]) => [name, micros(value)])),
    });
}
// The reader stops quietly at a line it cannot parse: every interval line must have become a histogram.
const intervalLines = content.split(/\r\n|\r|\n/).filter((line) => !line.startsWith("#") && !line.startsWith('"') && line.includes(","));
if (intervalLines.length !== histograms.length) {
    console.error(`${intervalLines.length} interval lines, but the reader returned ${histograms.length} histograms`);
    process.exit(1);
}
process.stdout.write(JSON.stringify(histograms));

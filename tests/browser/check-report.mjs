// Opens an HTML report in Debian's Chromium (headless, through playwright-core), and
// checks what a person would: the page loads without console errors, the status and
// requirement filters show the right rows, a link in the traceability matrix opens the
// scenario's timeline, and a screenshot is not blank.
//
//   node check-report.mjs REPORT.html SHOT.png EXPECT.json
//
// EXPECT: { total, failed, requirement, requirementRows, scenario }
// Prints one JSON line with what it saw; exits 1 with the reasons when a check fails.
import { chromium } from "playwright-core";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";

const [report, shot, expectFile] = process.argv.slice(2);
const expect = JSON.parse(fs.readFileSync(expectFile, "utf8"));
const problems = [];
const seen = {};
const check = (ok, what) => { if (!ok) problems.push(what); };

const profile = fs.mkdtempSync(path.join(os.tmpdir(), "crosscheck-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  timeout: 30000,
  viewport: { width: 1280, height: 900 },
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const visible = (page) => page.$$eval("#scenario-table tr.row", (rows) => rows.filter((r) => !r.hidden).length);
try {
  const page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(10000);
  const errors = [];
  const requests = [];
  page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") errors.push(`${m.type()}: ${m.text()}`); });
  page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
  page.on("request", (r) => { if (!r.url().startsWith("file:")) requests.push(r.url()); });
  await page.goto("file://" + path.resolve(report), { waitUntil: "load" });

  seen.shown = await page.textContent("#shown");
  check(seen.shown === `${expect.total} of ${expect.total} shown`, `at load: "${seen.shown}"`);

  await page.click("button.status-filter[data-status=failed]");
  seen.failedRows = await visible(page);
  check(seen.failedRows === expect.failed, `filter failed: ${seen.failedRows} rows, expected ${expect.failed}`);
  seen.failedPressed = await page.getAttribute("button.status-filter[data-status=failed]", "aria-pressed");
  check(seen.failedPressed === "true", "the failed button is not shown pressed");

  await page.click("button.status-filter[data-status=all]");
  await page.selectOption("#req-filter", expect.requirement);
  seen.requirementRows = await visible(page);
  check(seen.requirementRows === expect.requirementRows, `filter ${expect.requirement}: ${seen.requirementRows} rows, expected ${expect.requirementRows}`);
  await page.selectOption("#req-filter", "");
  await page.selectOption("#kind-filter", "fault");
  seen.faultRows = await visible(page);
  check(seen.faultRows === expect.faultRows, `filter kind fault: ${seen.faultRows} rows, expected ${expect.faultRows}`);
  await page.selectOption("#kind-filter", "");

  // Navigation: the nav bar, then a scenario link in the traceability matrix.
  await page.click("nav a[href='#traceability']");
  seen.hash = await page.evaluate(() => location.hash);
  check(seen.hash === "#traceability", `nav: hash ${seen.hash}`);
  await page.click(`#traceability a.sc[data-open='${expect.scenario}']`);
  const row = `#scenario-table tr.row[data-id='${expect.scenario}']`;
  seen.targeted = await page.$eval(row, (r) => r.classList.contains("target"));
  seen.expanded = await page.$eval(row + " button.open", (b) => b.getAttribute("aria-expanded"));
  seen.timelineEvents = await page.$eval(row, (r) => {
    const d = r.nextElementSibling;
    return d && d.classList.contains("detail") ? d.querySelectorAll(".tl tr").length : -1;
  });
  seen.timelineBars = await page.$eval(row, (r) => r.nextElementSibling.querySelectorAll("svg.lanes rect").length);
  check(seen.targeted && seen.expanded === "true", "the scenario link did not open its row");
  check(seen.timelineEvents > 0 && seen.timelineBars > 0, `timeline: ${seen.timelineEvents} events, ${seen.timelineBars} bars`);
  seen.inView = await page.$eval(row, (r) => { const b = r.getBoundingClientRect(); return b.top >= 0 && b.bottom <= innerHeight; });
  check(seen.inView, "the opened row is not scrolled into view");

  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: shot });
  seen.errors = errors;
  seen.requests = requests;
  check(errors.length === 0, `console: ${errors.join(" | ")}`);
  check(requests.length === 0, `the page fetched ${requests.join(", ")}`);
} catch (e) {
  problems.push(`the browser check broke: ${e.message}`);
} finally {
  await context.close();
  fs.rmSync(profile, { recursive: true, force: true });
}

// The screenshot: a PNG of the viewport's size that is not blank.
if (fs.existsSync(shot)) {
  const png = fs.readFileSync(shot);
  const width = png.readUInt32BE(16), height = png.readUInt32BE(20), colorType = png[25];
  seen.png = { width, height };
  const idat = [];
  for (let at = 8; at < png.length;) {
    const len = png.readUInt32BE(at), type = png.toString("ascii", at + 4, at + 8);
    if (type === "IDAT") idat.push(png.subarray(at + 8, at + 8 + len));
    at += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const bpp = colorType === 6 ? 4 : 3, stride = width * bpp;
  const pixels = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x];
      const a = x >= bpp ? pixels[y * stride + x - bpp] : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + x] : 0;
      const c = x >= bpp && y > 0 ? pixels[(y - 1) * stride + x - bpp] : 0;
      let p = v;
      if (f === 1) p = v + a;
      else if (f === 2) p = v + b;
      else if (f === 3) p = v + ((a + b) >> 1);
      else if (f === 4) { const q = a + b - c, pa = Math.abs(q - a), pb = Math.abs(q - b), pc = Math.abs(q - c); p = v + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c); }
      pixels[y * stride + x] = p & 255;
    }
  }
  const colors = new Set();
  let nonWhite = 0;
  for (let i = 0; i < pixels.length; i += bpp) {
    const r = pixels[i], g = pixels[i + 1], b = pixels[i + 2];
    colors.add((r << 16) | (g << 8) | b);
    if (r < 245 || g < 245 || b < 245) nonWhite++;
  }
  seen.png.colors = colors.size;
  seen.png.inked = +(nonWhite / (width * height)).toFixed(3);
  check(width === 1280 && height === 900, `screenshot is ${width}×${height}, expected 1280×900`);
  check(colors.size >= 16 && seen.png.inked >= 0.03, `screenshot looks blank: ${colors.size} colours, ${seen.png.inked} inked`);
} else {
  problems.push("no screenshot was written");
}
console.log(JSON.stringify(seen));
if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}

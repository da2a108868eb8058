//! Small inline SVG plots.

use std::fmt::Write;

use super::escape::h;

/// A horizontal bar split into coloured parts: `(label, count, css class)`.
pub fn stacked_bar(out: &mut String, parts: &[(&str, usize, &str)], width: u32) {
    let total: usize = parts.iter().map(|p| p.1).sum();
    let _ = write!(
        out,
        "<svg class=\"plot\" width=\"{width}\" height=\"22\" viewBox=\"0 0 {width} 22\" role=\"img\" aria-label=\"status bar\">"
    );
    let mut x = 0.0;
    for (label, n, class) in parts {
        if *n == 0 || total == 0 {
            continue;
        }
        let w = f64::from(width) * (*n as f64) / (total as f64);
        let _ = write!(
            out,
            "<rect class=\"{class}\" x=\"{x:.1}\" y=\"0\" width=\"{w:.1}\" height=\"22\"><title>{} {}</title></rect>",
            n,
            h(label)
        );
        x += w;
    }
    out.push_str("</svg>");
}

/// A histogram of `values` (milliseconds) in `bins` logarithmic buckets.
pub fn histogram(out: &mut String, values: &[f64], title: &str) {
    const W: f64 = 420.0;
    const H: f64 = 120.0;
    const BINS: usize = 12;
    let _ = write!(
        out,
        "<figure><svg class=\"plot\" width=\"{W}\" height=\"{}\" viewBox=\"0 0 {W} {}\" role=\"img\" aria-label=\"{}\">",
        H + 20.0,
        H + 20.0,
        h(title)
    );
    if values.is_empty() {
        out.push_str("<text x=\"4\" y=\"20\">no scenarios</text></svg></figure>");
        return;
    }
    // Buckets: <1 ms, 1–2, 2–4, … doubling.
    let bucket = |v: f64| -> usize {
        if v < 1.0 {
            0
        } else {
            ((v.log2().floor() as usize) + 1).min(BINS - 1)
        }
    };
    let mut counts = [0usize; BINS];
    for v in values {
        counts[bucket(*v)] += 1;
    }
    let max = counts.iter().copied().max().unwrap_or(1).max(1);
    let bw = W / BINS as f64;
    for (i, c) in counts.iter().enumerate() {
        let bh = (H - 14.0) * (*c as f64) / (max as f64);
        let x = i as f64 * bw;
        let lo = if i == 0 { 0.0 } else { 2f64.powi(i as i32 - 1) };
        let label = if i == BINS - 1 {
            format!("≥{}", fmt_ms(lo))
        } else {
            format!("{}–{}", fmt_ms(lo), fmt_ms(2f64.powi(i as i32)))
        };
        let _ = write!(
            out,
            "<rect class=\"bar\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{bh:.1}\"><title>{label}: {c}</title></rect>",
            x + 2.0,
            H - bh,
            bw - 4.0,
        );
        if *c > 0 {
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" class=\"count\">{c}</text>",
                x + bw / 2.0,
                H - bh - 3.0
            );
        }
        if i % 2 == 0 {
            let _ = write!(
                out,
                "<text x=\"{:.1}\" y=\"{}\" class=\"axis\">{}</text>",
                x + bw / 2.0,
                H + 14.0,
                h(&fmt_ms(lo))
            );
        }
    }
    let _ = write!(out, "</svg><figcaption>{}</figcaption></figure>", h(title));
}

/// A meter: `done` of `total` as a bar with a percentage.
pub fn meter(out: &mut String, done: usize, total: usize) {
    let pct = if total == 0 {
        100.0
    } else {
        100.0 * done as f64 / total as f64
    };
    let _ = write!(
        out,
        "<svg class=\"plot meter\" width=\"160\" height=\"14\" viewBox=\"0 0 160 14\" role=\"img\" aria-label=\"{pct:.0}%\"><rect class=\"track\" width=\"160\" height=\"14\"/><rect class=\"{}\" width=\"{:.1}\" height=\"14\"/></svg> <span class=\"pct\">{done}/{total} ({pct:.0}%)</span>",
        if done == total { "pass" } else { "warn" },
        1.6 * pct
    );
}

/// `850 ms`, `1.2 s`.
pub fn fmt_ms(ms: f64) -> String {
    if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.1} s", ms / 1000.0)
    }
}

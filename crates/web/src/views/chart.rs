//! Charts written on the server as SVG: horizontal bars (one group per category, one bar per
//! series) and lines (one per series over periods). Each is an image with a title and a
//! description (`role="img"`, `aria-labelledby`), readable in greyscale — series differ by
//! pattern and marker, not only by colour — and always stands beside a data table with the
//! same figures, so nothing is only in the picture. A suppressed count (`None`) has no bar or
//! point and says "< 5" or "•" as the table does.

use std::fmt::Write;

/// One series: its name and a value per category (`None`: suppressed, with what to show).
pub struct Series {
    pub name: String,
    pub values: Vec<Result<u64, &'static str>>,
}

/// Text for SVG (and HTML): `&`, `<`, `>`, `"` and `'` escaped.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Dark blue (11:1 on white) and a dark grey (9:1); the second series is hatched.
const INK: [&str; 3] = ["#0b3d6b", "#454545", "#1a1a1a"];

fn open(id: &str, title: &str, desc: &str, width: u32, height: u32) -> String {
    let id = esc(id);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {width} {height}\" \
         width=\"100%\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" focusable=\"false\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>\
         <defs><pattern id=\"{id}-hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" \
         patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#ffffff\"/>\
         <rect width=\"3\" height=\"6\" fill=\"{}\"/></pattern></defs>",
        esc(title),
        esc(desc),
        INK[1]
    )
}

fn fill(id: &str, series: usize) -> String {
    match series % 3 {
        0 => INK[0].to_string(),
        1 => format!("url(#{}-hatch)", esc(id)),
        _ => INK[2].to_string(),
    }
}

/// A legend line per series (pattern or marker and name), at `y`.
fn legend(out: &mut String, id: &str, series: &[Series], y: u32, line: bool) {
    for (n, s) in series.iter().enumerate() {
        let x = 10 + 210 * n as u32;
        if line {
            let _ = write!(
                out,
                "<line x1=\"{x}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"{}\" stroke-width=\"3\" stroke-dasharray=\"{}\"/>",
                x + 24,
                INK[n % 3],
                dash(n)
            );
        } else {
            let _ = write!(
                out,
                "<rect x=\"{x}\" y=\"{}\" width=\"24\" height=\"12\" fill=\"{}\" stroke=\"{}\"/>",
                y - 6,
                fill(id, n),
                INK[n % 3]
            );
        }
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" font-size=\"13\" fill=\"#1a1a1a\">{}</text>",
            x + 30,
            y + 4,
            esc(&s.name)
        );
    }
}

fn dash(n: usize) -> &'static str {
    ["none", "8 4", "2 3"][n % 3]
}

/// Horizontal bars: a group per category (`labels`), a bar per series.
pub fn bars(id: &str, title: &str, desc: &str, labels: &[String], series: &[Series]) -> String {
    let label_w = 190u32;
    let plot_w = 360u32;
    let bar_h = 14u32;
    let group_h = bar_h * series.len().max(1) as u32 + 10;
    let top = 34u32;
    let height = top + group_h * labels.len() as u32 + 10;
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().filter_map(|v| v.as_ref().ok().copied()))
        .max()
        .unwrap_or(0)
        .max(1);
    let mut out = open(id, title, desc, label_w + plot_w + 70, height);
    legend(&mut out, id, series, 14, false);
    for (i, label) in labels.iter().enumerate() {
        let y0 = top + group_h * i as u32;
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" font-size=\"13\" text-anchor=\"end\" fill=\"#1a1a1a\">{}</text>",
            label_w - 8,
            y0 + group_h / 2 + 2,
            esc(label)
        );
        for (n, s) in series.iter().enumerate() {
            let y = y0 + bar_h * n as u32;
            match s.values.get(i) {
                Some(Ok(v)) => {
                    let w = (u64::from(plot_w) * v / max) as u32;
                    let _ = write!(
                        out,
                        "<rect x=\"{label_w}\" y=\"{y}\" width=\"{w}\" height=\"{}\" fill=\"{}\" stroke=\"{}\"/>\
                         <text x=\"{}\" y=\"{}\" font-size=\"12\" fill=\"#1a1a1a\">{v}</text>",
                        bar_h - 2,
                        fill(id, n),
                        INK[n % 3],
                        label_w + w + 4,
                        y + bar_h - 4
                    );
                }
                Some(Err(shown)) => {
                    let _ = write!(
                        out,
                        "<text x=\"{}\" y=\"{}\" font-size=\"12\" fill=\"#1a1a1a\">{}</text>",
                        label_w + 4,
                        y + bar_h - 4,
                        esc(shown)
                    );
                }
                None => {}
            }
        }
    }
    let _ = write!(
        out,
        "<line x1=\"{label_w}\" y1=\"{top}\" x2=\"{label_w}\" y2=\"{}\" stroke=\"#1a1a1a\"/></svg>",
        height - 10
    );
    out
}

/// Lines over periods (`labels`): one per series, with markers at shown values.
pub fn lines(id: &str, title: &str, desc: &str, labels: &[String], series: &[Series]) -> String {
    let (left, top, plot_w, plot_h) = (50u32, 34u32, 520u32, 180u32);
    let height = top + plot_h + 40;
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().filter_map(|v| v.as_ref().ok().copied()))
        .max()
        .unwrap_or(0)
        .max(1);
    let steps = labels.len().saturating_sub(1).max(1) as u32;
    let x = |i: usize| left + plot_w * i as u32 / steps;
    let y = |v: u64| top + plot_h - (u64::from(plot_h) * v / max) as u32;
    let mut out = open(id, title, desc, left + plot_w + 30, height);
    legend(&mut out, id, series, 14, true);
    for tick in [0, max / 2, max] {
        let _ = write!(
            out,
            "<line x1=\"{left}\" y1=\"{yy}\" x2=\"{}\" y2=\"{yy}\" stroke=\"#9aa9b8\"/>\
             <text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\" fill=\"#1a1a1a\">{tick}</text>",
            left + plot_w,
            left - 6,
            y(tick) + 4,
            yy = y(tick)
        );
    }
    for (i, label) in labels.iter().enumerate() {
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\" fill=\"#1a1a1a\">{}</text>",
            x(i),
            top + plot_h + 18,
            esc(label)
        );
    }
    for (n, s) in series.iter().enumerate() {
        // A line through shown values; a suppressed one breaks it.
        let mut path = String::new();
        let mut pen_down = false;
        for (i, v) in s.values.iter().enumerate() {
            match v {
                Ok(v) => {
                    let _ = write!(
                        path,
                        "{}{} {} ",
                        if pen_down { "L" } else { "M" },
                        x(i),
                        y(*v)
                    );
                    pen_down = true;
                }
                Err(_) => pen_down = false,
            }
        }
        if !path.is_empty() {
            let _ = write!(
                out,
                "<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"3\" stroke-dasharray=\"{}\"/>",
                path.trim_end(),
                INK[n % 3],
                dash(n)
            );
        }
        for (i, v) in s.values.iter().enumerate() {
            if let Ok(v) = v {
                let (cx, cy) = (x(i), y(*v));
                let _ = if n % 2 == 0 {
                    write!(
                        out,
                        "<circle cx=\"{cx}\" cy=\"{cy}\" r=\"4\" fill=\"{}\"/>",
                        INK[n % 3]
                    )
                } else {
                    write!(
                        out,
                        "<rect x=\"{}\" y=\"{}\" width=\"8\" height=\"8\" fill=\"{}\"/>",
                        cx - 4,
                        cy - 4,
                        INK[n % 3]
                    )
                };
            }
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_is_an_image_with_its_title_and_escaped_text() {
        let svg = bars(
            "verwijzingen",
            "Verwijzingen per gebied",
            "Aantal verwijzingen per gebied in 2026 & 2025",
            &["De Velden".into(), "<Noord>".into()],
            &[
                Series {
                    name: "2026".into(),
                    values: vec![Ok(12), Err("< 5")],
                },
                Series {
                    name: "2025".into(),
                    values: vec![Ok(9), Ok(7)],
                },
            ],
        );
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("aria-labelledby=\"verwijzingen-title verwijzingen-desc\""));
        assert!(svg.contains("2026 &amp; 2025"));
        assert!(svg.contains("&lt;Noord&gt;"));
        assert!(svg.contains(">&lt; 5<"), "the suppressed count says so");
        assert!(
            svg.contains("url(#verwijzingen-hatch)"),
            "the second series is hatched"
        );
        let line = lines(
            "maanden",
            "Per maand",
            "Verwijzingen per maand",
            &["jan".into(), "feb".into(), "mrt".into()],
            &[Series {
                name: "2026".into(),
                values: vec![Ok(5), Err("•"), Ok(8)],
            }],
        );
        assert_eq!(
            line.matches("<circle").count(),
            2,
            "no point for the suppressed month"
        );
        let d = line
            .split(" d=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        assert_eq!(
            d.matches('M').count(),
            2,
            "the line breaks at the suppressed month: {d}"
        );
    }
}

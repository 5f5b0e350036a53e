//! Charts drawn as SVG on the server: horizontal bars (one or two series), no script needed.
//!
//! Each chart is an `<svg role="img">` with a title and description for screen readers, and is
//! always rendered next to a `<table>` with the same figures (the template's job), so no one
//! depends on seeing the bars. Colours pass 3:1 contrast against white, and the two series
//! also differ by pattern (solid against outlined) for people who cannot tell the colours apart.

use std::fmt::Write;

/// One bar: its label and one or two values.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub values: Vec<f64>,
    /// Text written at the bar's end (the formatted value).
    pub value_text: String,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const LABEL_WIDTH: f64 = 260.0;
const BAR_AREA: f64 = 380.0;
const ROW: f64 = 26.0;
/// Labels longer than this are cut with an ellipsis: at 13px, about seven pixels a character,
/// more would run past the left edge of the label column (the table beside has them whole).
const LABEL_CHARS: usize = 34;
/// Solid brand blue, then an outlined orange-brown bar.
const SERIES: [(&str, &str); 2] = [("#00506e", "#00506e"), ("#ffffff", "#9a4a00")];

/// Horizontal bars; with two values per bar, two thinner bars per row (e.g. demand and supply).
pub fn bars(title: &str, description: &str, bars: &[Bar], legend: &[&str]) -> String {
    let max = bars
        .iter()
        .flat_map(|b| b.values.iter().copied())
        .fold(0.0_f64, f64::max)
        .max(1.0);
    let series = bars
        .iter()
        .map(|b| b.values.len())
        .max()
        .unwrap_or(1)
        .max(1);
    let legend_height = if legend.len() > 1 { 24.0 } else { 0.0 };
    let width = LABEL_WIDTH + BAR_AREA + 90.0;
    let height = legend_height + ROW * bars.len() as f64 + 8.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" role="img" aria-labelledby="{id}-t {id}-d" viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{title}</title><desc id="{id}-d">{desc}</desc>"#,
        id = chart_id(title),
        title = escape(title),
        desc = escape(description),
    );
    if legend.len() > 1 {
        for (i, name) in legend.iter().enumerate() {
            let x = LABEL_WIDTH + i as f64 * 170.0;
            let (fill, stroke) = SERIES[i % 2];
            let _ = write!(
                svg,
                r#"<rect x="{x}" y="4" width="14" height="14" fill="{fill}" stroke="{stroke}" stroke-width="2"/><text x="{tx}" y="16" font-size="13">{name}</text>"#,
                tx = x + 20.0,
                name = escape(name)
            );
        }
    }
    let bar_height = (ROW - 8.0) / series as f64;
    for (row, b) in bars.iter().enumerate() {
        let y = legend_height + row as f64 * ROW;
        let _ = write!(
            svg,
            r#"<text x="{x}" y="{ty}" font-size="13" text-anchor="end">{label}</text>"#,
            x = LABEL_WIDTH - 8.0,
            ty = y + ROW / 2.0 + 4.0,
            label = escape(&truncate(&b.label, LABEL_CHARS)),
        );
        for (i, v) in b.values.iter().enumerate() {
            let w = (v / max * BAR_AREA).max(if *v > 0.0 { 1.0 } else { 0.0 });
            let (fill, stroke) = SERIES[i % 2];
            let _ = write!(
                svg,
                r#"<rect x="{LABEL_WIDTH}" y="{by:.1}" width="{w:.1}" height="{h:.1}" fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>"#,
                by = y + 4.0 + i as f64 * bar_height,
                h = bar_height - 1.0,
            );
        }
        let longest = b.values.iter().copied().fold(0.0, f64::max) / max * BAR_AREA;
        let _ = write!(
            svg,
            r#"<text x="{x:.1}" y="{ty}" font-size="13">{v}</text>"#,
            x = LABEL_WIDTH + longest + 6.0,
            ty = y + ROW / 2.0 + 4.0,
            v = escape(&b.value_text),
        );
    }
    svg.push_str("</svg>");
    svg
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

/// A stable id from the title, for `aria-labelledby`.
fn chart_id(title: &str) -> String {
    let slug: String = title
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(24)
        .collect();
    format!("chart-{}-{}", slug.to_ascii_lowercase(), title.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_is_labelled_escaped_and_scaled_to_its_largest_value() {
        let svg = bars(
            "Ads & places",
            "Top <5>",
            &[
                Bar {
                    label: "Undersköterskor".into(),
                    values: vec![200.0, 50.0],
                    value_text: "200 / 50".into(),
                },
                Bar {
                    label: "Lärare".into(),
                    values: vec![100.0, 0.0],
                    value_text: "100 / 0".into(),
                },
            ],
            &["Annonser", "Platser"],
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("<title id=") && svg.contains("Ads &amp; places"));
        assert!(svg.contains("Top &lt;5&gt;"));
        assert!(
            svg.contains(&format!("width=\"{BAR_AREA:.1}\"")),
            "largest bar spans the area"
        );
        assert!(svg.contains(&format!("width=\"{:.1}\"", BAR_AREA / 2.0)));
        assert!(svg.contains("Platser"), "two series have a legend");
    }

    #[test]
    fn a_long_label_is_cut_to_fit_its_column() {
        let label = "Hudiksvalls kommun, utbildningsförvaltningen (demo)";
        let svg = bars(
            "Användning",
            "Visningar",
            &[Bar {
                label: label.into(),
                values: vec![1.0],
                value_text: "1".into(),
            }],
            &["Visningar"],
        );
        let shown = format!(
            ">{}…<",
            label.chars().take(LABEL_CHARS - 1).collect::<String>()
        );
        assert!(svg.contains(&shown), "{svg}");
        assert!(!svg.contains(label));
    }
}

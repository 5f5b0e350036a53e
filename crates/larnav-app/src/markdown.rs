//! Markdown that people write (material bodies, for the material library) rendered to HTML that
//! is safe to put in a page: CommonMark with tables and strikethrough (pulldown-cmark), then an
//! allow-list sanitiser (ammonia) that drops scripts, iframes, styles, event handlers and every
//! link or image whose scheme is not http, https or mailto (so `javascript:` links go). Raw
//! HTML in the Markdown goes through the same sanitiser. Headings move one level down, so that
//! a material's `# Title` never competes with the page's own `<h1>`.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// Renders `markdown` to sanitised HTML.
pub fn render(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }) => Event::Start(Tag::Heading {
            level: lower(level),
            id,
            classes,
            attrs,
        }),
        Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(lower(level))),
        other => other,
    });
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    ammonia::Builder::default()
        .url_schemes(["http", "https", "mailto"].into())
        .link_rel(Some("noopener noreferrer nofollow"))
        .rm_tags(["h1"])
        .clean(&html)
        .to_string()
}

fn lower(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H2,
        HeadingLevel::H2 => HeadingLevel::H3,
        HeadingLevel::H3 => HeadingLevel::H4,
        HeadingLevel::H4 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn markdown_becomes_html_with_headings_one_level_down() {
        let html = render("# Bråk\n\nDela **en pizza** i *åttondelar*.\n\n- ett\n- två\n");
        assert!(html.contains("<h2>Bråk</h2>"), "{html}");
        assert!(html.contains("<strong>en pizza</strong>"));
        assert!(html.contains("<li>två</li>"));
        let table = render("| a | b |\n|---|---|\n| 1 | 2 |\n");
        assert!(
            table.contains("<table>") && table.contains("<td>2</td>"),
            "{table}"
        );
    }

    #[test]
    fn scripts_iframes_handlers_and_javascript_links_are_stripped() {
        let html = render(concat!(
            "<script>alert(1)</script>\n\n",
            "<iframe src=\"https://evil.example\"></iframe>\n\n",
            "<img src=\"x.png\" onerror=\"alert(2)\">\n\n",
            "[klicka](javascript:alert(3)) [säker](https://skolverket.se)\n\n",
            "<a href=\"JaVaScRiPt:alert(4)\">stor</a> <style>p{}</style>\n\n",
            "![bild](data:text/html;base64,PHNjcmlwdD4=)\n",
        ));
        for bad in [
            "<script",
            "alert(1)",
            "<iframe",
            "onerror",
            "javascript",
            "JaVaScRiPt",
            "<style",
            "data:",
        ] {
            assert!(!html.contains(bad), "{bad} survived: {html}");
        }
        assert!(html.contains("href=\"https://skolverket.se\""), "{html}");
        assert!(html.contains("rel=\"noopener noreferrer nofollow\""));
        assert!(html.contains("klicka"), "the link text stays");
    }

    #[test]
    fn raw_html_h1_cannot_add_a_second_page_heading() {
        assert!(!render("<h1>Rubrik</h1>").contains("<h1"));
    }
}

//! A small element tree read with quick-xml (AAT's answers, MX's XML answers):
//! elements by local name (namespace and prefix ignored, as providers.md §2 says), text
//! with entity references resolved and surrounding spaces trimmed (AAT pads PINs).

use quick_xml::events::Event;
use quick_xml::Reader;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    /// Local name (`RechargeInfo`, not `a:RechargeInfo`).
    pub name: String,
    /// The element's own text, trimmed (empty for a parent element).
    pub text: String,
    pub children: Vec<Element>,
}

/// Limits against hostile or broken answers.
const MAX_DEPTH: usize = 32;
const MAX_ELEMENTS: usize = 100_000;

impl Element {
    /// The first child with this local name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The trimmed text of the first child with this name, `None` when absent or empty.
    pub fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.as_str()).filter(|t| !t.is_empty())
    }

    /// Every child with this local name.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }
}

/// Parses a whole document into its root element.
pub fn parse(text: &str) -> Result<Element, String> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut count = 0usize;
    loop {
        let event = reader.read_event().map_err(|e| format!("XML error at byte {}: {e}", reader.error_position()))?;
        match event {
            Event::Start(e) => {
                if root.is_some() {
                    return Err("content after the root element".into());
                }
                count += 1;
                if stack.len() >= MAX_DEPTH || count > MAX_ELEMENTS {
                    return Err("the XML is nested too deep or too large".into());
                }
                stack.push(Element { name: local(e.local_name().as_ref())?, ..Default::default() });
            }
            Event::Empty(e) => {
                count += 1;
                if count > MAX_ELEMENTS {
                    return Err("the XML is too large".into());
                }
                let el = Element { name: local(e.local_name().as_ref())?, ..Default::default() };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None if root.is_none() => root = Some(el),
                    None => return Err("content after the root element".into()),
                }
            }
            Event::End(e) => {
                let mut el = stack.pop().ok_or("a closing tag without its opening tag")?;
                if el.name != local(e.local_name().as_ref())? {
                    return Err(format!("<{}> is closed by another tag", el.name));
                }
                el.text = el.text.trim().to_string();
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => {
                let s = t.xml10_content();
                match stack.last_mut() {
                    Some(el) => el.text.push_str(&s),
                    None if s.trim().is_empty() => {}
                    None => return Err("text outside the root element".into()),
                }
            }
            Event::CData(t) => {
                let s = t.xml10_content().into_owned();
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&s);
                }
            }
            Event::GeneralRef(r) => {
                let resolved = if let Some(c) = r.resolve_char_ref().map_err(|e| format!("a bad character reference: {e}"))? {
                    c.to_string()
                } else {
                    let name = r.xml10_content();
                    quick_xml::escape::resolve_predefined_entity(&name).ok_or_else(|| format!("an unknown entity &{name};"))?.to_string()
                };
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&resolved);
                }
            }
            Event::Eof => break,
            // Declarations, comments, processing instructions, doctype: nothing to read.
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err(format!("the XML ends inside <{}>", stack.last().map(|e| e.name.as_str()).unwrap_or("")));
    }
    root.ok_or_else(|| "no XML element in the answer".into())
}

fn local(name: &str) -> Result<String, String> {
    Ok(name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_names_text_and_entities() {
        let doc = r#"<?xml version="1.0" encoding="utf-8"?>
<a:RechargeInfo xmlns:a="https://mobilerechargeapi.gsm.co.za/"><a:VoucherPin>0000000011180837 </a:VoucherPin>
<Error>R5 &amp; more &#65;<![CDATA[<x>]]></Error><Empty/></a:RechargeInfo>"#;
        let root = parse(doc).unwrap();
        assert_eq!(root.name, "RechargeInfo");
        assert_eq!(root.text_of("VoucherPin"), Some("0000000011180837"));
        assert_eq!(root.text_of("Error"), Some("R5 & more A<x>"));
        assert!(root.child("Empty").is_some());
        assert_eq!(root.text_of("Empty"), None);
    }

    #[test]
    fn broken_documents_are_errors() {
        for bad in ["", "<a>", "<a></b>", "<a>x</a><b/>", "text", "<a>&bogus;</a>", "</a>"] {
            assert!(parse(bad).is_err(), "{bad:?} parsed");
        }
        let deep = "<a>".repeat(40) + &"</a>".repeat(40);
        assert!(parse(&deep).is_err());
    }
}

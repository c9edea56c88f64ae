//! Python objects to trees and back, both without recursion (any depth fits):
//!
//! - JSON values (`dict`, `list`, `tuple`, `str`, `int`, `float`, `bool`, `None`) by the
//!   lossless JSON-document mapping: `DICT` of `RECORD`s, `LIST`, `STRING`, `NUMBER` (the text
//!   `json.dumps` would write: `repr` for floats), `BOOLEAN`, `NULL`;
//! - tree dicts, `{"p": 16, "v": "calculate", "c": [...]}`, the tree JSON form as Python objects.

use hashbrown::{HashMap, HashSet};

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use sigma_tree::Event;
use sigma_tree::raw::RawBuilder;
use sigma_tree::{Primitive, Tree};

use crate::errors::{self, Kind};
use crate::utf8::utf8;

/// Containers nested deeper than this are checked for cycles (a container inside itself): a
/// cycle is endless, so it always gets this deep, and shallow data pays nothing for the check.
const CYCLE_CHECK_DEPTH: usize = 64;

/// A container of a JSON value being walked.
enum Open<'py> {
    /// A list (its address), and its remaining elements.
    List(usize, pyo3::types::iter::BoundListIterator<'py>),
    /// A tuple (its address), and its remaining elements.
    Tuple(usize, pyo3::types::iter::BoundTupleIterator<'py>),
    /// A dict (its address), its remaining items, and the size it had when they were counted.
    Dict(usize, pyo3::types::iter::BoundDictIterator<'py>, Bound<'py, PyDict>, usize),
}

/// Where a JSON value's nodes go, in pre-order: a tree builder, or a v2 message written as the
/// value is walked (`crate::direct`).
pub(crate) trait Sink {
    /// A node. If `has_children`, its children follow and then [`Sink::close`]; else it is a
    /// leaf. (Which child is last is known at the parent's `close`.)
    fn node(&mut self, primitive: Primitive, value: Option<&str>, has_children: bool) -> PyResult<()>;
    /// The innermost node with children has had them all.
    fn close(&mut self) -> PyResult<()>;
}

impl Sink for RawBuilder {
    #[inline]
    fn node(&mut self, primitive: Primitive, value: Option<&str>, has_children: bool) -> PyResult<()> {
        if has_children { self.open(primitive, value) } else { self.leaf(primitive, value) }
            .map(drop)
            .map_err(errors::tree)
    }

    #[inline]
    fn close(&mut self) -> PyResult<()> {
        RawBuilder::close(self).map_err(errors::tree)
    }
}

/// Appends the tree of the JSON value `value` to `builder` (see the module docs).
pub(crate) fn value_into(value: &Bound<'_, PyAny>, builder: &mut RawBuilder) -> PyResult<()> {
    walk_value(value, builder)
}

/// Gives the nodes of the JSON value `value` to `sink`, in pre-order, without recursion.
pub(crate) fn walk_value(value: &Bound<'_, PyAny>, sink: &mut impl Sink) -> PyResult<()> {
    let mut stack: Vec<Open<'_>> = Vec::new();
    // Ids of the open containers, recorded once the nesting passes `CYCLE_CHECK_DEPTH`.
    let mut open_ids: HashSet<usize> = HashSet::new();
    let mut text = String::new();
    let mut next = Some(value.clone());
    loop {
        if let Some(item) = next.take() {
            if let Some(open) = scalar_or_open(&item, sink, &mut text)? {
                if stack.len() >= CYCLE_CHECK_DEPTH && !open_ids.insert(item.as_ptr() as usize) {
                    return Err(errors::raise(
                        Kind::Encode,
                        format!("circular reference: a {} inside itself", type_name(&item)),
                        None,
                    ));
                }
                stack.push(open);
            } else if matches!(stack.last(), Some(Open::Dict(..))) {
                sink.close()?; // the member's RECORD
            }
        }
        // The next element of the innermost open container, or close it.
        let Some(top) = stack.last_mut() else { break };
        match top {
            Open::List(_, items) => {
                if let Some(item) = items.next() {
                    next = Some(item);
                    continue;
                }
            }
            Open::Tuple(_, items) => {
                if let Some(item) = items.next() {
                    next = Some(item);
                    continue;
                }
            }
            Open::Dict(_, items, dict, size) => {
                // Only Python code run by a garbage collection inside this walk (the text of an
                // int past 64 bits allocates) could change the dict; pyo3's iterator would then
                // panic, so it is asked for an item only while the dict is as it was.
                // Once exhausted it is not asked again (it could meet keys added meanwhile).
                if items.len() > 0 && dict.len() != *size {
                    return Err(errors::raise(
                        Kind::Encode,
                        "a dict changed size while it was being encoded",
                        None,
                    ));
                }
                if items.len() > 0
                    && let Some((key, member)) = items.next()
                {
                    let key = key.cast_into::<PyString>().map_err(|e| {
                        errors::raise(
                            Kind::UnsupportedType,
                            format!("dict keys must be str, not {}", type_name(e.into_inner().as_any())),
                            None,
                        )
                    })?;
                    sink.node(Primitive::RECORD, Some(utf8(&key)?), true)?;
                    next = Some(member);
                    continue;
                }
            }
        }
        let closed = stack.pop();
        if stack.len() >= CYCLE_CHECK_DEPTH
            && let Some(Open::List(container, _) | Open::Tuple(container, _) | Open::Dict(container, ..)) =
                &closed
        {
            open_ids.remove(container);
        }
        sink.close()?;
        if matches!(stack.last(), Some(Open::Dict(..))) {
            sink.close()?; // the member's RECORD
        }
    }
    Ok(())
}

/// Gives `item` to `sink`: a scalar as a leaf (returning `None`), a container as its node,
/// returned to be walked if it has elements.
fn scalar_or_open<'py>(
    item: &Bound<'py, PyAny>,
    sink: &mut impl Sink,
    text: &mut String,
) -> PyResult<Option<Open<'py>>> {
    if let Ok(s) = item.cast_exact::<PyString>() {
        sink.node(Primitive::STRING, Some(utf8(s)?), false)?;
    } else if item.is_exact_instance_of::<PyInt>() {
        int_text(item, text)?;
        sink.node(Primitive::NUMBER, Some(text), false)?;
    } else if let Ok(dict) = item.cast_exact::<PyDict>() {
        return open_dict(dict, sink);
    } else if let Ok(list) = item.cast_exact::<PyList>() {
        return open_list(list, sink);
    } else if let Ok(float) = item.cast_exact::<PyFloat>() {
        float_text(float.value(), text)?;
        sink.node(Primitive::NUMBER, Some(text), false)?;
    } else if let Ok(b) = item.cast_exact::<PyBool>() {
        sink.node(Primitive::BOOLEAN, Some(if b.is_true() { "true" } else { "false" }), false)?;
    } else if item.is_none() {
        sink.node(Primitive::NULL, None, false)?;
    } else if let Ok(tuple) = item.cast::<PyTuple>() {
        let len = tuple.len();
        sink.node(Primitive::LIST, None, len > 0)?;
        return Ok((len > 0).then(|| Open::Tuple(tuple.as_ptr() as usize, tuple.iter())));
    } else {
        return subclass(item, sink, text);
    }
    Ok(None)
}

/// Subclasses of the JSON types (an `IntEnum`, a `str` subclass, an `OrderedDict`) are written as
/// their base type, as `json.dumps` does.
fn subclass<'py>(
    item: &Bound<'py, PyAny>,
    sink: &mut impl Sink,
    text: &mut String,
) -> PyResult<Option<Open<'py>>> {
    if let Ok(s) = item.cast::<PyString>() {
        sink.node(Primitive::STRING, Some(utf8(s)?), false)?;
    } else if let Ok(b) = item.cast::<PyBool>() {
        sink.node(Primitive::BOOLEAN, Some(if b.is_true() { "true" } else { "false" }), false)?;
    } else if item.is_instance_of::<PyInt>() {
        int_text(item, text)?;
        sink.node(Primitive::NUMBER, Some(text), false)?;
    } else if let Ok(float) = item.cast::<PyFloat>() {
        float_text(float.value(), text)?;
        sink.node(Primitive::NUMBER, Some(text), false)?;
    } else if let Ok(dict) = item.cast::<PyDict>() {
        return open_dict(dict, sink);
    } else if let Ok(list) = item.cast::<PyList>() {
        return open_list(list, sink);
    } else {
        return Err(errors::raise(
            Kind::UnsupportedType,
            format!(
                "{} has no JSON meaning (only dict, list, tuple, str, int, float, bool and None do)",
                type_name(item)
            ),
            None,
        ));
    }
    Ok(None)
}

fn open_dict<'py>(dict: &Bound<'py, PyDict>, sink: &mut impl Sink) -> PyResult<Option<Open<'py>>> {
    let items = dict.iter();
    let len = items.len();
    sink.node(Primitive::DICT, None, len > 0)?;
    Ok((len > 0).then(|| Open::Dict(dict.as_ptr() as usize, items, dict.clone(), len)))
}

fn open_list<'py>(list: &Bound<'py, PyList>, sink: &mut impl Sink) -> PyResult<Option<Open<'py>>> {
    let items = list.iter();
    let len = items.len();
    sink.node(Primitive::LIST, None, len > 0)?;
    Ok((len > 0).then(|| Open::List(list.as_ptr() as usize, items)))
}

fn type_name(item: &Bound<'_, PyAny>) -> String {
    item.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "object".to_owned())
}

/// An `int`'s decimal text into `text`.
fn int_text(item: &Bound<'_, PyAny>, text: &mut String) -> PyResult<()> {
    text.clear();
    match item.extract::<i64>() {
        Ok(n) => text.push_str(itoa::Buffer::new().format(n)),
        // Past 64 bits: Python's own decimal text (`int.__repr__`, as `json.dumps` writes it;
        // `str` might be overridden by a subclass).
        Err(_) => {
            let int = item.py().get_type::<PyInt>();
            let digits = int.call_method1("__repr__", (item,)).map_err(|e| {
                // Python refuses decimal text past `sys.get_int_max_str_digits()` (4,300 by default).
                errors::raise(Kind::Encode, format!("an int whose decimal text Python refuses: {e}"), None)
            })?;
            text.push_str(&digits.cast_into::<PyString>()?.to_cow()?);
        }
    }
    Ok(())
}

/// A finite float's text as Python's `repr` (and so `json.dumps`) writes it: the shortest digits
/// that read back to the same float, positional for decimal exponents -4 to 15, else
/// `d.ddde+XX`.
pub(crate) fn float_text(value: f64, text: &mut String) -> PyResult<()> {
    text.clear();
    if !value.is_finite() {
        return Err(errors::raise(
            Kind::Encode,
            format!("{value} is not a JSON number (JSON has no NaN or infinity)"),
            None,
        ));
    }
    let mut buffer = ryu::Buffer::new();
    let shortest = buffer.format_finite(value);
    // ryu writes positional notation for decimal points from -4 to 16 and Python from -3 to 16,
    // both with the same shortest digits (and `.0` after a whole number): outside `0.0000…` and
    // exponents, the texts agree.
    let unsigned = shortest.strip_prefix('-').unwrap_or(shortest);
    if !unsigned.starts_with("0.0000") && !unsigned.as_bytes().contains(&b'e') {
        text.push_str(shortest);
        return Ok(());
    }
    // What is left is exponent notation for Python: ryu's own (decimal points past 16 or below
    // -4) and `0.0000…` (point -4), written `d.ddde-05`.
    let (mantissa, exponent) = match unsigned.split_once('e') {
        Some((m, e)) => (m, e.parse::<i32>().map_err(|_| unexpected_float(shortest))?),
        None => (unsigned, 0),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    // The significant digits (at most 17, ryu's shortest), and where the decimal point falls
    // among them: value = 0.d1d2… × 10^point.
    let leading = int_part.bytes().chain(frac_part.bytes()).take_while(|&d| d == b'0').count();
    let significant = mantissa.trim_start_matches(['0', '.']).replace('.', "");
    let significant = significant.trim_end_matches('0');
    let point = int_part.len() as i32 - leading as i32 + exponent;
    let Some((first, rest)) = significant.split_at_checked(1) else {
        return Err(unexpected_float(shortest)); // zero took the path above
    };
    debug_assert!(!(-3..=16).contains(&point), "Python writes this float positionally");
    if shortest.starts_with('-') {
        text.push('-');
    }
    text.push_str(first);
    if !rest.is_empty() {
        text.push('.');
        text.push_str(rest);
    }
    let e = point - 1;
    text.push_str(if e < 0 { "e-" } else { "e+" });
    if e.abs() < 10 {
        text.push('0');
    }
    text.push_str(itoa::Buffer::new().format(e.abs()));
    Ok(())
}

/// ryu wrote something other than `-?d+(.d+)?(ed+)?`: a bug, reported rather than guessed at.
fn unexpected_float(shortest: &str) -> PyErr {
    errors::raise(Kind::Encode, format!("internal error: unexpected float text {shortest:?}"), None)
}

/// A container being filled while a tree becomes a JSON value.
enum Filling<'py> {
    List(Bound<'py, PyList>),
    /// A dict, and the key of the member whose value comes next.
    Dict(Bound<'py, PyDict>, Option<Bound<'py, PyString>>),
}

/// The JSON value whose tree `tree` is; a `TreeError` naming the node if it is none.
pub(crate) fn tree_to_value<'py>(py: Python<'py>, tree: &Tree) -> PyResult<Bound<'py, PyAny>> {
    let mut stack: Vec<Filling<'py>> = Vec::new();
    let mut result: Option<Bound<'py, PyAny>> = None;
    let mut keys = KeyCache::default();
    for event in tree.events() {
        let made = match event {
            Event::Enter(node) => {
                // A dict whose next member's RECORD comes now (not its value).
                let in_dict = matches!(stack.last(), Some(Filling::Dict(_, None)));
                let value = node.value();
                match node.primitive() {
                    Primitive::RECORD if in_dict => {
                        let (Some(key), 1) = (value, node.child_count()) else {
                            return Err(not_json(
                                node.index(),
                                "RECORD",
                                "a RECORD has a key and exactly one child",
                            ));
                        };
                        let key = keys.get(py, key);
                        if let Some(Filling::Dict(_, pending)) = stack.last_mut() {
                            *pending = Some(key);
                        }
                        continue;
                    }
                    _ if in_dict => {
                        return Err(not_json(
                            node.index(),
                            node.primitive().name(),
                            "DICT children must be RECORDs, and RECORDs must be in a DICT",
                        ));
                    }
                    Primitive::RECORD => {
                        return Err(not_json(
                            node.index(),
                            "RECORD",
                            "DICT children must be RECORDs, and RECORDs must be in a DICT",
                        ));
                    }
                    Primitive::DICT | Primitive::LIST if value.is_some() => {
                        return Err(not_json(
                            node.index(),
                            node.primitive().name(),
                            "containers have no value",
                        ));
                    }
                    Primitive::DICT => {
                        let dict = PyDict::new(py);
                        if node.has_children() {
                            stack.push(Filling::Dict(dict, None));
                            continue;
                        }
                        dict.into_any()
                    }
                    Primitive::LIST => {
                        let list = PyList::empty(py);
                        if node.has_children() {
                            stack.push(Filling::List(list));
                            continue;
                        }
                        list.into_any()
                    }
                    primitive if node.has_children() => {
                        return Err(not_json(
                            node.index(),
                            primitive.name(),
                            "only DICT, LIST and RECORD have children",
                        ));
                    }
                    Primitive::STRING => match value {
                        Some(s) => PyString::new(py, s).into_any(),
                        None => return Err(not_json(node.index(), "STRING", "a STRING has a value")),
                    },
                    Primitive::NUMBER => match value.and_then(|n| number(py, n).transpose()) {
                        Some(n) => n?,
                        None => {
                            return Err(not_json(
                                node.index(),
                                "NUMBER",
                                "a NUMBER's value is JSON number text",
                            ));
                        }
                    },
                    Primitive::BOOLEAN => match value {
                        Some("true") => PyBool::new(py, true).to_owned().into_any(),
                        Some("false") => PyBool::new(py, false).to_owned().into_any(),
                        _ => {
                            return Err(not_json(
                                node.index(),
                                "BOOLEAN",
                                "a BOOLEAN's value is \"true\" or \"false\"",
                            ));
                        }
                    },
                    Primitive::NULL if value.is_none() => py.None().into_bound(py),
                    Primitive::NULL => return Err(not_json(node.index(), "NULL", "a NULL has no value")),
                    primitive => return Err(not_json(node.index(), primitive.name(), "no JSON meaning")),
                }
            }
            Event::Leave(node) => {
                if !node.has_children() || node.primitive() == Primitive::RECORD {
                    continue;
                }
                match stack.pop() {
                    Some(Filling::List(list)) => list.into_any(),
                    Some(Filling::Dict(dict, _)) => dict.into_any(),
                    None => continue,
                }
            }
        };
        match stack.last_mut() {
            Some(Filling::List(list)) => list.append(made)?,
            Some(Filling::Dict(dict, key)) => match key.take() {
                Some(key) => dict.set_item(key, made)?,
                None => debug_assert!(false, "a dict member's value without its RECORD"),
            },
            None => result = Some(made),
        }
    }
    result.ok_or_else(|| errors::raise(Kind::Tree, "an empty tree is no JSON value", None))
}

/// The dict keys made so far in one call, so that a key repeated across many objects (most
/// documents' case) is one `str` object, made and hashed once.
#[derive(Default)]
struct KeyCache<'t, 'py> {
    keys: HashMap<&'t str, Bound<'py, PyString>>,
}

impl<'t, 'py> KeyCache<'t, 'py> {
    /// Keys longer than this are made each time (they are rarely repeated).
    const LONGEST: usize = 64;
    /// The most keys kept (a document of distinct keys would otherwise keep them all).
    const MOST: usize = 4096;

    fn get(&mut self, py: Python<'py>, key: &'t str) -> Bound<'py, PyString> {
        if key.len() > Self::LONGEST {
            return PyString::new(py, key);
        }
        if let Some(made) = self.keys.get(key) {
            return made.clone();
        }
        let made = PyString::new(py, key);
        if self.keys.len() < Self::MOST {
            self.keys.insert(key, made.clone());
        }
        made
    }
}

fn not_json(node: usize, primitive: &str, reason: &str) -> PyErr {
    errors::raise(Kind::Tree, format!("node {node} ({primitive}) is not JSON: {reason}"), None)
}

/// A JSON number's text as a Python `int` (no fraction, no exponent) or `float`, as `json.loads`
/// reads it; `None` if `text` is not JSON number text.
fn number<'py>(py: Python<'py>, text: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
    let Some(integral) = json_number(text.as_bytes()) else { return Ok(None) };
    if integral {
        if text.len() <= 18 {
            // At most 18 digits: an i64 always holds it.
            if let Ok(n) = text.parse::<i64>() {
                return Ok(Some(n.into_pyobject(py)?.into_any()));
            }
        }
        let int = py.get_type::<PyInt>().call1((text,)).map_err(|e| {
            // Past `sys.get_int_max_str_digits()` digits (4,300 by default) Python refuses.
            errors::raise(
                Kind::Tree,
                format!("a NUMBER of {} digits Python refuses as an int: {e}", text.len()),
                None,
            )
        })?;
        return Ok(Some(int));
    }
    match text.parse::<f64>() {
        Ok(f) => Ok(Some(PyFloat::new(py, f).into_any())),
        Err(_) => Ok(None),
    }
}

/// Whether `b` is one JSON number (RFC 8259: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`),
/// and if so whether it is integral (no fraction, no exponent). `sigma_tree::json::is_json_number`
/// answers the first question by running the whole JSON reader: with it, `loads` of canada.json
/// (111,000 numbers) took 12% more instructions (callgrind, 219 against 196 million a call).
fn json_number(b: &[u8]) -> Option<bool> {
    let digits = |b: &[u8], at: usize| b[at..].iter().take_while(|c| c.is_ascii_digit()).count();
    let mut at = usize::from(b.first() == Some(&b'-'));
    let int = digits(b, at);
    if int == 0 || (int > 1 && b[at] == b'0') {
        return None;
    }
    at += int;
    let mut integral = true;
    if b.get(at) == Some(&b'.') {
        let fraction = digits(b, at + 1);
        if fraction == 0 {
            return None;
        }
        at += 1 + fraction;
        integral = false;
    }
    if matches!(b.get(at), Some(b'e' | b'E')) {
        at += 1;
        if matches!(b.get(at), Some(b'+' | b'-')) {
            at += 1;
        }
        let exponent = digits(b, at);
        if exponent == 0 {
            return None;
        }
        at += exponent;
        integral = false;
    }
    (at == b.len()).then_some(integral)
}

/// Appends the tree of the tree dict `value` (`{"p": int or name, "v": str or None, "c": [...]}`;
/// `v` and `c` may be left out) to `builder`.
pub(crate) fn tree_dict_into(value: &Bound<'_, PyAny>, builder: &mut RawBuilder) -> PyResult<()> {
    // Each open node's children and the index of the next.
    let mut stack: Vec<(Bound<'_, PyList>, usize)> = Vec::new();
    // The open nodes' addresses, recorded past `CYCLE_CHECK_DEPTH` (a node inside itself).
    let mut open_ids: Vec<usize> = Vec::new();
    let mut seen: HashSet<usize> = HashSet::new();
    let mut next = Some(value.clone());
    let mut path = String::new();
    loop {
        if let Some(node) = next.take() {
            let dict = node.cast::<PyDict>().map_err(|_| {
                tree_error(&stack, format!("a node is a dict, not {}", type_name(&node)), &mut path)
            })?;
            let (primitive, value, children) =
                node_fields(dict).map_err(|m| tree_error(&stack, m, &mut path))?;
            let value = value.as_ref().map(utf8).transpose()?;
            match children {
                Some(children) if !children.is_empty() => {
                    if stack.len() >= CYCLE_CHECK_DEPTH {
                        let id = dict.as_ptr() as usize;
                        if !seen.insert(id) {
                            return Err(tree_error(&stack, "a node inside itself".to_owned(), &mut path));
                        }
                        open_ids.push(id);
                    }
                    builder.open(primitive, value).map_err(errors::tree)?;
                    stack.push((children, 0));
                }
                _ => {
                    builder.leaf(primitive, value).map_err(errors::tree)?;
                }
            }
        }
        let Some((children, index)) = stack.last_mut() else { break };
        if *index < children.len() {
            next = Some(children.get_item(*index)?);
            *index += 1;
        } else {
            stack.pop();
            if stack.len() >= CYCLE_CHECK_DEPTH
                && let Some(id) = open_ids.pop()
            {
                seen.remove(&id);
            }
            builder.close().map_err(errors::tree)?;
        }
    }
    Ok(())
}

type Fields<'py> = (Primitive, Option<Bound<'py, PyString>>, Option<Bound<'py, PyList>>);

fn node_fields<'py>(dict: &Bound<'py, PyDict>) -> Result<Fields<'py>, String> {
    let mut primitive = None;
    let mut value = None;
    let mut children = None;
    for (key, item) in dict.iter() {
        let key =
            key.cast_into::<PyString>().map_err(|_| "node keys are \"p\", \"v\" and \"c\"".to_owned())?;
        let key = utf8(&key).map_err(|e| e.to_string())?;
        match key {
            "p" => {
                // An exact int (not a bool, nor an object whose `__index__` could run code).
                let id = item.is_exact_instance_of::<PyInt>().then(|| item.extract::<u8>().ok()).flatten();
                primitive = Some(if let Some(id) = id {
                    Primitive::new(id)
                } else if let Ok(name) = item.cast::<PyString>() {
                    let name = utf8(name).map_err(|e| e.to_string())?;
                    Primitive::from_name(name)
                        .ok_or_else(|| format!("\"p\": unknown primitive name {name:?}"))?
                } else {
                    return Err("\"p\" is a primitive id 0-255 or a primitive name".to_owned());
                });
            }
            "v" if item.is_none() => {}
            "v" => {
                value = Some(item.cast_into::<PyString>().map_err(|_| "\"v\" is a str or None".to_owned())?)
            }
            "c" => {
                children =
                    Some(item.cast_into::<PyList>().map_err(|_| "\"c\" is a list of nodes".to_owned())?)
            }
            other => return Err(format!("unknown node key {other:?} (a node has \"p\", \"v\" and \"c\")")),
        }
    }
    let primitive = primitive.ok_or_else(|| "a node needs \"p\", its primitive".to_owned())?;
    Ok((primitive, value, children))
}

/// A `TreeError` for the node at the path `stack` describes.
fn tree_error(stack: &[(Bound<'_, PyList>, usize)], message: String, path: &mut String) -> PyErr {
    path.clear();
    path.push_str("root");
    for (_, index) in stack {
        path.push_str(".c[");
        path.push_str(itoa::Buffer::new().format(index - 1));
        path.push(']');
    }
    errors::raise(Kind::Tree, format!("{path}: {message}"), None)
}

/// The tree dict of `tree` (`None` for an empty tree).
pub(crate) fn tree_to_dict<'py>(py: Python<'py>, tree: &Tree) -> PyResult<Bound<'py, PyAny>> {
    // Made once per interpreter, hashed once.
    let p = pyo3::intern!(py, "p");
    let v = pyo3::intern!(py, "v");
    let c = pyo3::intern!(py, "c");
    let mut stack: Vec<Bound<'py, PyList>> = Vec::new();
    let mut root = None;
    for event in tree.events() {
        match event {
            Event::Enter(node) => {
                let dict = PyDict::new(py);
                dict.set_item(p, node.primitive().id())?;
                dict.set_item(v, node.value())?;
                let children = PyList::empty(py);
                dict.set_item(c, &children)?;
                match stack.last() {
                    Some(parent) => parent.append(&dict)?,
                    None => root = Some(dict.into_any()),
                }
                if node.has_children() {
                    stack.push(children);
                }
            }
            Event::Leave(node) => {
                if node.has_children() {
                    stack.pop();
                }
            }
        }
    }
    Ok(root.unwrap_or_else(|| py.None().into_bound(py)))
}

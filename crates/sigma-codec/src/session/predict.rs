//! The predictors both ends of a session keep: a node's primitive from its parent's
//! ([`PrimitiveModel`]) and a node's value from where it stands ([`ValueModel`]), with the keys and
//! contexts they are indexed by.

use hashbrown::HashMap;
use sigma_glyph::session::PrimitiveCode;

/// The key of the virtual parent of a root.
const ROOT_KEY: u64 = 0x0123_4567_89AB_CDEF;
/// The key of "no previous sibling".
const FIRST_KEY: u64 = 0xFEDC_BA98_7654_3210;

/// A node's key: the hash of its value ([`sigma_delta::hash::hash_bytes`], computed once per
/// value by the caller), or of its primitive when it has none.
pub(crate) fn node_key(primitive: u8, value_hash: Option<u64>) -> u64 {
    match value_hash {
        Some(hash) => hash,
        None => u64::from(primitive).wrapping_mul(0xC2B2_AE3D_27D4_EB4F) ^ 0x5A5A,
    }
}

/// A node whose children are being sent or read: what its children's predictions depend on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Parent {
    /// Its primitive; `None` for the virtual parent of the root.
    pub(crate) primitive: Option<u8>,
    /// Its key.
    pub(crate) key: u64,
    /// The key of its latest child so far (`FIRST_KEY` before the first).
    pub(crate) previous: u64,
}

impl Parent {
    /// The virtual parent of a tree's root.
    pub(crate) const ROOT: Parent = Parent { primitive: None, key: ROOT_KEY, previous: FIRST_KEY };

    /// A node about to have children.
    pub(crate) fn new(primitive: u8, key: u64) -> Parent {
        Parent { primitive: Some(primitive), key, previous: FIRST_KEY }
    }

    /// The value context of its next child: its key and the previous child's.
    pub(crate) fn child_context(&self) -> u64 {
        value_context(self.key, self.previous)
    }
}

/// The value context of a node whose parent's key is `parent` and whose previous sibling's key
/// is `previous`.
fn value_context(parent: u64, previous: u64) -> u64 {
    parent.rotate_left(23) ^ previous.wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// Predicts a node's primitive from its parent's: for each parent primitive (and one list for
/// roots), the three child primitives seen most recently, moved to the front when used. A node
/// whose primitive is in its parent's list costs no primitive byte. Both ends update it the same
/// way, for node ops of delta frames only, so it stays in step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PrimitiveModel {
    /// Per parent primitive, then one for roots.
    lists: Box<[[u8; 3]; 257]>,
    /// While the encoder tries a delta (`trial`): each list changed, as it was before, to undo
    /// it.
    undo: Vec<(usize, [u8; 3])>,
    trial: bool,
}

impl PrimitiveModel {
    /// The list index for roots.
    const ROOT: usize = 256;

    pub(crate) fn new() -> PrimitiveModel {
        // JSON's most common children first: RECORD, STRING, NUMBER.
        PrimitiveModel { lists: Box::new([[0x7F, 0x78, 0x79]; 257]), undo: Vec::new(), trial: false }
    }

    /// The list for `parent`, its old contents noted first while a trial is on.
    #[allow(clippy::indexing_slicing)] // a u8 or ROOT: within the 257 lists
    fn list(&mut self, parent: Option<u8>) -> &mut [u8; 3] {
        let index = parent.map_or(Self::ROOT, usize::from);
        let list = &mut self.lists[index];
        if self.trial {
            self.undo.push((index, *list));
        }
        list
    }

    /// From here on, remember how to undo what is learned.
    pub(crate) fn begin_trial(&mut self) {
        self.undo.clear();
        self.trial = true;
    }

    /// Stops remembering; unless `keep`, undoes what was learned since
    /// [`PrimitiveModel::begin_trial`].
    #[allow(clippy::indexing_slicing)] // indexes noted by `list`
    pub(crate) fn end_trial(&mut self, keep: bool) {
        self.trial = false;
        if !keep {
            for &(index, old) in self.undo.iter().rev() {
                self.lists[index] = old;
            }
        }
        self.undo.clear();
    }

    /// How to name `id` under `parent`, moving `id` to the front of the parent's list.
    pub(crate) fn encode(&mut self, parent: Option<u8>, id: u8) -> PrimitiveCode {
        let list = self.list(parent);
        let code = match list.iter().position(|&p| p == id) {
            Some(slot) => PrimitiveCode::Recent(slot as u8),
            None => PrimitiveCode::Literal(id),
        };
        move_to_front(list, id);
        code
    }

    /// The primitive `code` names under `parent`, moved to the front of the parent's list; `None`
    /// for a list slot past the list's three.
    pub(crate) fn decode(&mut self, parent: Option<u8>, code: PrimitiveCode) -> Option<u8> {
        let list = self.list(parent);
        let id = match code {
            PrimitiveCode::Recent(slot) => *list.get(usize::from(slot))?,
            PrimitiveCode::Literal(id) => id,
        };
        move_to_front(list, id);
        Some(id)
    }
}

/// Moves `id` to the front of `list`, inserting it (and dropping the last) when it is new.
fn move_to_front(list: &mut [u8; 3], id: u8) {
    // Where it is, or the last slot, which a new id pushes out.
    let at = list.iter().position(|&p| p == id).unwrap_or(list.len() - 1);
    list.copy_within(0..at, 1);
    list[0] = id;
}

/// How many contexts the value model remembers before it starts again (at a frame boundary).
const VALUE_MODEL_CAPACITY: usize = 1 << 16;

/// Where a remembered value lives in the model's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Span {
    start: usize,
    len: usize,
}

/// Predicts a node's value from its context (its parent's key and its previous sibling's): the
/// value last seen in the same context. Keys of JSON objects follow their previous key; values
/// follow their key. Both ends learn from every valued node op of a delta frame, in order.
///
/// The values live in one text buffer (a changed value is appended; the buffer is compacted at a
/// frame boundary once mostly stale), so learning allocates nothing once the buffers have grown.
#[derive(Debug, Default)]
pub(crate) struct ValueModel {
    last: HashMap<u64, Span>,
    text: String,
    /// Scratch for compaction.
    spare: String,
    /// While the encoder tries a delta: what each `learn` replaced, to undo it.
    undo: Vec<(u64, Option<Span>)>,
    /// While the encoder tries a delta: the text's length when it began.
    trial: Option<usize>,
    /// Bytes of `text` that spans point at (kept as they change, so a frame boundary need not
    /// count them).
    live: usize,
}

impl ValueModel {
    fn text_of(&self, span: Span) -> Option<&str> {
        self.text.get(span.start..span.start.checked_add(span.len)?)
    }

    pub(crate) fn predict(&self, context: u64) -> Option<&str> {
        let span = *self.last.get(&context)?;
        let text = self.text_of(span);
        debug_assert!(text.is_some(), "every span is in the text");
        text
    }

    pub(crate) fn learn(&mut self, context: u64, value: &str) {
        let new = Span { start: self.text.len(), len: value.len() };
        // One lookup: the slot is read, compared and replaced in place.
        let old = match self.last.entry(context) {
            hashbrown::hash_map::Entry::Occupied(mut slot) => {
                let old = *slot.get();
                if self.text.get(old.start..old.start + old.len) == Some(value) {
                    return;
                }
                slot.insert(new);
                Some(old)
            }
            hashbrown::hash_map::Entry::Vacant(slot) => {
                slot.insert(new);
                None
            }
        };
        self.text.push_str(value);
        self.live = self.live + new.len - old.map_or(0, |old| old.len);
        if self.trial.is_some() {
            self.undo.push((context, old));
        }
    }

    /// From here on, remember how to undo what is learned.
    pub(crate) fn begin_trial(&mut self) {
        self.undo.clear();
        self.trial = Some(self.text.len());
    }

    /// Stops remembering; unless `keep`, undoes what was learned since [`ValueModel::begin_trial`].
    pub(crate) fn end_trial(&mut self, keep: bool) {
        let began = self.trial.take();
        if !keep {
            for (context, old) in self.undo.drain(..).rev() {
                let undone = match old {
                    Some(span) => self.last.insert(context, span),
                    None => self.last.remove(&context),
                };
                self.live = self.live + old.map_or(0, |span| span.len) - undone.map_or(0, |span| span.len);
            }
            // The values learned in the trial were appended after this: no span points there now.
            if let Some(len) = began {
                self.text.truncate(len);
            }
        }
        self.undo.clear();
    }

    /// At a frame boundary: start again once full, so memory stays bounded (both ends agree);
    /// and once most of the text is stale, copy the live values to a fresh buffer (which
    /// changes no prediction).
    pub(crate) fn end_frame(&mut self) {
        if self.last.len() > VALUE_MODEL_CAPACITY {
            self.last.clear();
            self.text.clear();
            self.live = 0;
            return;
        }
        if self.text.len() >= 64 << 10 && self.live * 2 < self.text.len() {
            // Checked only here, where the walk below costs as much.
            debug_assert_eq!(
                self.live,
                self.last.values().map(|span| span.len).sum::<usize>(),
                "live bytes kept"
            );
            self.spare.clear();
            for span in self.last.values_mut() {
                let Some(value) = self.text.get(span.start..span.start + span.len) else {
                    debug_assert!(false, "every span is in the text");
                    continue;
                };
                span.start = self.spare.len();
                self.spare.push_str(value);
            }
            std::mem::swap(&mut self.text, &mut self.spare);
        }
    }
}

/// A canonical decimal integer (`0`, `-12`, `345`; no sign on zero, no leading zeros) as an
/// `i64`, so that printing it gives the same text back.
pub(crate) fn canonical_int(text: &str) -> Option<i64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let canonical = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'))
        && !(text.starts_with('-') && digits == "0");
    if canonical { text.parse().ok() } else { None }
}

pub(crate) fn zigzag(n: i64) -> u64 {
    ((n << 1) ^ (n >> 63)) as u64
}

pub(crate) fn unzigzag(n: u64) -> i64 {
    ((n >> 1) as i64) ^ -((n & 1) as i64)
}

/// The open nodes of a pattern being walked: the offset past each one's subtree and its keys
/// (its own, its latest child's). Scratch for [`walk_pattern`], kept between calls.
pub(crate) type PatternStack = Vec<(usize, (u64, u64))>;

/// Walks a pattern's nodes in pre-order under `parent`, giving `visit` each node's offset and
/// value context; `visit` returns the node's subtree size and key, or an error that stops the
/// walk. `open` is scratch space.
pub(crate) fn walk_pattern<E>(
    len: usize,
    parent: &Parent,
    open: &mut PatternStack,
    mut visit: impl FnMut(usize, u64) -> Result<(usize, u64), E>,
) -> Result<(), E> {
    // The keys (its own, its latest child's) of the pattern's parent and of each open node of
    // the pattern, with the offset past its subtree.
    let mut outer = (parent.key, parent.previous);
    open.clear();
    for offset in 0..len {
        while open.last().is_some_and(|&(end, _)| end <= offset) {
            open.pop();
        }
        let keys = match open.last_mut() {
            Some((_, keys)) => keys,
            None => &mut outer,
        };
        let (size, node_key) = visit(offset, value_context(keys.0, keys.1))?;
        keys.1 = node_key;
        if size > 1 {
            open.push((offset + size, (node_key, FIRST_KEY)));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_canonical_or_not_integers() {
        for (text, expected) in
            [("0", Some(0)), ("-12", Some(-12)), ("345", Some(345)), ("9223372036854775807", Some(i64::MAX))]
        {
            assert_eq!(canonical_int(text), expected, "{text}");
        }
        for text in ["", "-", "-0", "01", "1.0", "1e3", "+1", " 1", "9223372036854775808"] {
            assert_eq!(canonical_int(text), None, "{text}");
        }
        for n in [0, 1, -1, 63, -64, i64::MAX, i64::MIN] {
            assert_eq!(unzigzag(zigzag(n)), n);
        }
        assert_eq!((zigzag(-1), zigzag(1)), (1, 2));
    }

    #[test]
    fn primitive_lists_move_to_front() {
        let mut model = PrimitiveModel::new();
        assert_eq!(model.encode(None, 0x79), PrimitiveCode::Recent(2), "NUMBER is third at first");
        assert_eq!(model.encode(None, 0x79), PrimitiveCode::Recent(0), "then first");
        assert_eq!(model.encode(None, 0x10), PrimitiveCode::Literal(0x10));
        assert_eq!(model.lists[PrimitiveModel::ROOT], [0x10, 0x79, 0x7F]);
        assert!(model.undo.is_empty());
        assert_eq!(model.encode(None, 0x7F), PrimitiveCode::Recent(2));
        assert_eq!(model.lists[PrimitiveModel::ROOT], [0x7F, 0x10, 0x79]);
        let mut decoder = PrimitiveModel::new();
        for id in [0x79, 0x79, 0x10] {
            let mut encoder_side = decoder.clone();
            let code = encoder_side.encode(Some(3), id);
            assert_eq!(decoder.decode(Some(3), code), Some(id));
            assert_eq!(decoder, encoder_side);
        }
        assert_eq!(decoder.decode(Some(3), PrimitiveCode::Recent(3)), None, "no fourth slot");
    }

    #[test]
    fn a_primitive_trial_that_is_not_kept_is_undone() {
        let mut model = PrimitiveModel::new();
        model.encode(Some(7), 0x10);
        let before = model.clone();
        model.begin_trial();
        model.encode(Some(7), 0x11);
        model.encode(None, 0x12);
        model.encode(Some(7), 0x10);
        model.end_trial(false);
        assert_eq!(model.lists, before.lists);
        model.begin_trial();
        model.encode(Some(7), 0x11);
        model.end_trial(true);
        assert_eq!(model.lists[7], [0x11, 0x10, 0x7F]);
    }

    #[test]
    fn a_trial_that_is_not_kept_is_undone() {
        let mut model = ValueModel::default();
        model.learn(1, "a");
        assert!(model.undo.is_empty(), "no trial, no undo");
        model.begin_trial();
        model.learn(1, "b");
        model.learn(2, "c");
        model.end_trial(false);
        assert_eq!((model.predict(1), model.predict(2)), (Some("a"), None));
        model.begin_trial();
        model.learn(1, "b");
        model.end_trial(true);
        assert_eq!(model.predict(1), Some("b"));
    }

    #[test]
    fn compaction_keeps_every_prediction() {
        let mut model = ValueModel::default();
        for round in 0..2_000u64 {
            for context in 0..50u64 {
                model.learn(context, &format!("value {context} in round {round}"));
            }
            model.end_frame();
        }
        for context in 0..50u64 {
            assert_eq!(model.predict(context), Some(format!("value {context} in round 1999").as_str()));
        }
        assert!(model.text.len() < 256 << 10, "compacted: {}", model.text.len());
    }
}

//! Proptest strategies for trees (feature `proptest`; for tests in this workspace).
//!
//! A tree is generated as a flat list of [`Step`]s and built by [`from_steps`], so generating
//! and shrinking never recurse, whatever the depth.

use proptest::prelude::*;
use sigma_primitives::Primitive;

use crate::{Tree, TreeBuilder};

/// One building step.
#[derive(Clone, Debug)]
pub enum Step {
    /// Open a node; the following steps add its children.
    Open(u8, Option<String>),
    /// Add a leaf.
    Leaf(u8, Option<String>),
    /// Close the innermost open node, unless it is the root.
    Close,
}

/// What kind of trees to generate.
#[derive(Clone, Copy, Debug)]
pub struct TreeConfig {
    /// At most this many steps (so about this many nodes).
    pub max_steps: usize,
    /// Map primitive 0x0B below the root to 0x0C: format v1 cannot hold a 0x0B leaf inside a
    /// composite.
    pub v1_safe: bool,
}

/// A value: usually short (any Unicode), sometimes long (past one-byte length prefixes).
pub fn value() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        4 => proptest::option::of(".{0,12}"),
        1 => proptest::option::of("[a-z\u{e9}\u{65e5}]{100,200}"),
    ]
}

/// A value that often repeats one of a few others, shares a long start with them, or is a number
/// (what compact v2 writes specially), and sometimes is anything.
pub fn related_value() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        3 => proptest::sample::select(vec![
            "", "a", "id", "name", "1", "12", "-0.5", "1e+30", "2014-08-31", "node_1", "node_12",
            "node_2", "node_20", "\u{e9}t\u{e9}", "\u{e9}t\u{e8}", "profile_background_color",
            "profile_background_image_url",
        ])
        .prop_map(|v| Some(v.to_owned())),
        1 => "[0-9.eE+-]{1,70}".prop_map(Some),
        1 => "(node_|http://x/)[a-z0-9]{0,8}".prop_map(Some),
        1 => value(),
    ]
}

/// Trees of up to `max_steps` steps whose values come from [`related_value`].
pub fn related_trees(max_steps: usize) -> impl Strategy<Value = Tree> {
    let step = prop_oneof![
        (any::<u8>(), related_value()).prop_map(|(id, v)| Step::Open(id, v)),
        (any::<u8>(), related_value()).prop_map(|(id, v)| Step::Leaf(id, v)),
        Just(Step::Close),
    ];
    proptest::collection::vec(step, 1..max_steps.max(2)).prop_map(|steps| from_steps(&steps, false))
}

/// A list of steps for [`from_steps`].
pub fn steps(max_steps: usize) -> impl Strategy<Value = Vec<Step>> {
    let step = prop_oneof![
        (any::<u8>(), value()).prop_map(|(id, v)| Step::Open(id, v)),
        (any::<u8>(), value()).prop_map(|(id, v)| Step::Leaf(id, v)),
        Just(Step::Close),
    ];
    proptest::collection::vec(step, 1..max_steps.max(2))
}

/// Trees as `config` says.
pub fn trees(config: TreeConfig) -> impl Strategy<Value = Tree> {
    steps(config.max_steps).prop_map(move |steps| from_steps(&steps, config.v1_safe))
}

/// Builds the tree `steps` describe. The first step, whatever it is, opens the root; whatever is
/// open at the end is closed.
pub fn from_steps(steps: &[Step], v1_safe: bool) -> Tree {
    let mut builder = TreeBuilder::new();
    for (i, step) in steps.iter().enumerate() {
        let fix = |id: u8| Primitive::new(if v1_safe && i > 0 && id == 0x0B { 0x0C } else { id });
        // Every step below is valid for the builder's state, so none can fail.
        let stepped = match step {
            Step::Open(id, value) | Step::Leaf(id, value) if i == 0 => {
                builder.open(fix(*id), value.as_deref())
            }
            Step::Close if i == 0 => builder.open(Primitive::ENTITY, None),
            Step::Open(id, value) => builder.open(fix(*id), value.as_deref()),
            Step::Leaf(id, value) => builder.leaf(fix(*id), value.as_deref()),
            Step::Close if builder.open_count() > 1 => builder.close().map(|()| 0),
            Step::Close => Ok(0),
        };
        debug_assert!(stepped.is_ok(), "{stepped:?}");
    }
    while builder.open_count() > 0 {
        let closed = builder.close();
        debug_assert!(closed.is_ok(), "{closed:?}");
    }
    let tree = builder.finish();
    debug_assert!(tree.is_ok(), "{tree:?}");
    tree.unwrap_or_default()
}

//! Measures two packages the project was planned with against what the workspace does instead,
//! side by side in one run (ratios, not absolute times, are what to read on a noisy machine):
//!
//! - **bumpalo**: the corpus documents as pointer-style trees in a bump arena (each node a bump
//!   allocation holding its value and a bump `Vec` of children), built by walking the flat tree,
//!   against decoding the same documents' v2 bytes into the flat pre-order arena (`Tree`), which
//!   allocates nothing when warm. Both are then walked once (value bytes summed).
//! - **parking_lot**: an uncontended lock and unlock of `parking_lot::Mutex` against
//!   `std::sync::Mutex`, the only kind of lock a shared codebook or pool would take.
//!
//! `cargo run --release -p sigma-benches --example alternatives`
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::hint::black_box;
use std::time::Instant;

use bumpalo::Bump;
use bumpalo::collections::Vec as BumpVec;
use sigma_codec::{DecodeLimits, v2};
use sigma_tree::{Event, Tree};

/// A pointer-style node in a bump arena.
struct Node<'b> {
    primitive: u8,
    value: Option<&'b str>,
    children: BumpVec<'b, &'b Node<'b>>,
}

/// Builds `tree` as pointer-style nodes in `bump`, without recursion.
fn build<'b>(tree: &Tree, bump: &'b Bump) -> &'b Node<'b> {
    let mut open: Vec<Node<'b>> = Vec::new();
    let mut root = None;
    for event in tree.events() {
        match event {
            Event::Enter(n) => open.push(Node {
                primitive: n.primitive().id(),
                value: n.value().map(|v| &*bump.alloc_str(v)),
                children: BumpVec::new_in(bump),
            }),
            Event::Leave(_) => {
                let done: &'b Node<'b> = bump.alloc(open.pop().unwrap());
                match open.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => root = Some(done),
                }
            }
        }
    }
    root.unwrap()
}

fn walk(root: &Node<'_>) -> usize {
    let mut sum = 0;
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        sum += node.value.map_or(0, str::len) + usize::from(node.primitive);
        stack.extend(node.children.iter().rev());
    }
    sum
}

fn walk_flat(tree: &Tree) -> usize {
    tree.nodes().map(|n| n.value().map_or(0, str::len) + usize::from(n.primitive().id())).sum()
}

/// Nanoseconds per call of `f`, the best of five runs of `rounds` calls.
fn time(rounds: usize, mut f: impl FnMut()) -> f64 {
    (0..5)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..rounds {
                f();
            }
            start.elapsed().as_nanos() as f64 / rounds as f64
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    println!(
        "| document | nodes | flat arena: v2 decode + walk, ns/node | bump pointer tree: build + walk, ns/node | bump / flat |"
    );
    println!("|---|---:|---:|---:|---:|");
    for name in sigma_testkit::CORPUS {
        let tree = Tree::from_json_document(&sigma_testkit::fixture_text(&format!("corpus/{name}"))).unwrap();
        let bytes = v2::encode(&tree).unwrap();
        let mut decoder = v2::Decoder::new(DecodeLimits::DEFAULT);
        let mut decoded = Tree::new();
        let flat = time(20, || {
            decoder.decode_into(&bytes, &mut decoded).unwrap();
            black_box(walk_flat(&decoded));
        });
        let mut bump = Bump::new();
        let pointer = time(20, || {
            bump.reset();
            black_box(walk(build(&tree, &bump)));
        });
        let nodes = tree.node_count() as f64;
        println!(
            "| {name} | {} | {:.1} | {:.1} | {:.2} |",
            tree.node_count(),
            flat / nodes,
            pointer / nodes,
            pointer / flat
        );
    }
    let std_lock = std::sync::Mutex::new(0u64);
    let pl_lock = parking_lot::Mutex::new(0u64);
    let rounds = 10_000_000;
    let std_ns = time(rounds, || *black_box(&std_lock).lock().unwrap() += 1);
    let pl_ns = time(rounds, || *black_box(&pl_lock).lock() += 1);
    println!();
    println!("| lock (uncontended lock + unlock) | ns |");
    println!("|---|---:|");
    println!("| std::sync::Mutex | {std_ns:.2} |");
    println!("| parking_lot::Mutex | {pl_ns:.2} |");
}

#![allow(missing_docs, clippy::unwrap_used, clippy::print_stdout)]
use sigma_glyph::v2::compact;
use std::hint::black_box;
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let tree = if let Some(n) = path.strip_prefix("balanced/") {
        sigma_tree::samples::balanced(n.parse().unwrap())
    } else {
        sigma_tree::Tree::from_json_document(&std::fs::read_to_string(&path).unwrap()).unwrap()
    };
    let spans: Vec<(usize, usize)> = tree.nodes().filter_map(|n| n.value_span()).collect();
    let values = tree.value_buffer().as_bytes();
    let n = 2000;
    let time = |name: &str, f: &mut dyn FnMut() -> usize| {
        let t = std::time::Instant::now();
        let mut acc = 0;
        for _ in 0..n {
            acc += f();
        }
        black_box(acc);
        println!("{name}: {:.2} ns/value", t.elapsed().as_nanos() as f64 / (n * spans.len()) as f64);
    };
    time("iterate", &mut || spans.iter().map(|&(a, l)| values[a..a + l].len()).sum());
    time("is_number", &mut || spans.iter().filter(|&&(a, l)| compact::is_number(&values[a..a + l])).count());
    time("slot", &mut || spans.iter().map(|&(a, l)| compact::slot(&values[a..a + l])).sum());
    let mut prev: &[u8] = &[];
    time("shared", &mut || {
        spans
            .iter()
            .map(|&(a, l)| {
                let v = &values[a..a + l];
                let s = compact::shared_prefix(prev, v);
                prev = v;
                s
            })
            .sum()
    });
    let mut slots = vec![(0u32, 0u32, 0u32); 4096];
    let mut g = 0u32;
    time("slot+lookup+put", &mut || {
        g += 1;
        spans
            .iter()
            .map(|&(a, l)| {
                let v = &values[a..a + l];
                let s = compact::slot(v);
                let e = slots[s];
                let hit = e.0 == g && &values[e.1 as usize..(e.1 + e.2) as usize] == v;
                if !hit {
                    slots[s] = (g, a as u32, l as u32);
                }
                hit as usize
            })
            .sum()
    });
}

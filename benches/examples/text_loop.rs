//! A hot loop for profilers: extraction over the text fixtures, again and again.
//! `cargo build --release -p sigma-benches --example text_loop && perf record target/release/examples/text_loop 20`
#![allow(clippy::unwrap_used, clippy::print_stdout)]

fn main() {
    let rounds: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(5);
    let documents: Vec<String> = sigma_testkit::text_documents().into_iter().map(|(_, t)| t).collect();
    let bytes: usize = documents.iter().map(String::len).sum();
    let warm = std::time::Instant::now();
    let mut entities = sigma_text::extract(documents.first().map_or("", String::as_str)).entities.len();
    println!("first extraction (lists and rules built): {:.0} ms", warm.elapsed().as_secs_f64() * 1e3);
    let start = std::time::Instant::now();
    for _ in 0..rounds {
        for d in &documents {
            entities += sigma_text::extract(d).entities.len();
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    println!("{entities} entities; {:.2} MB/s", (bytes * rounds) as f64 / seconds / 1e6);
}

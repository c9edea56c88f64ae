//! The sample trees, built in code: the Python reference benchmark's four trees, balanced
//! trees and chains. `fixtures/` holds the same trees in tree JSON form; a test checks they agree.

use sigma_primitives::Primitive;

use crate::{Error, Tree, TreeBuilder};

/// *simple*: `ENTITY "user"`.
pub fn simple() -> Tree {
    build(|b| b.leaf(Primitive::ENTITY, Some("user")).map(drop))
}

/// *medium*: `FUNCTION "calculate" [PARAMETER "x" [VARIABLE "result"], PARAMETER "y"]`.
pub fn medium() -> Tree {
    build(|b| {
        b.open(Primitive::FUNCTION, Some("calculate"))?;
        b.open(Primitive::PARAMETER, Some("x"))?;
        b.leaf(Primitive::VARIABLE, Some("result"))?;
        b.close()?;
        b.leaf(Primitive::PARAMETER, Some("y"))?;
        b.close()
    })
}

/// *deep*: `ACTION "root"`, then a chain of ten `ATTRIBUTE "level_0"` … `"level_9"`.
pub fn deep() -> Tree {
    build(|b| {
        b.open(Primitive::ACTION, Some("root"))?;
        for level in 0..10 {
            let value = format!("level_{level}");
            if level == 9 {
                b.leaf(Primitive::ATTRIBUTE, Some(&value))?;
            } else {
                b.open(Primitive::ATTRIBUTE, Some(&value))?;
            }
        }
        for _ in 0..10 {
            b.close()?;
        }
        Ok(())
    })
}

/// *wide*: `CLASS "data_class"` with twenty `VARIABLE "var_0"` … `"var_19"` leaves.
pub fn wide() -> Tree {
    build(|b| {
        b.open(Primitive::CLASS, Some("data_class"))?;
        for i in 0..20 {
            b.leaf(Primitive::VARIABLE, Some(&format!("var_{i}")))?;
        }
        b.close()
    })
}

/// A balanced tree of `n` nodes (`n ≥ 1`), branching 4: node `i` in level order has children
/// `4i + 1` … `4i + 4` (those below `n`), primitive `i % 128` and value `node_<i>`. Written in
/// pre-order like every tree.
pub fn balanced(n: usize) -> Tree {
    build(|b| {
        // (level-order index, whether this entry closes the node rather than opens it)
        let mut stack = vec![(0usize, false)];
        while let Some((i, closing)) = stack.pop() {
            if closing {
                b.close()?;
                continue;
            }
            let primitive = Primitive::new((i % 128) as u8);
            let value = format!("node_{i}");
            let first_child = 4 * i + 1;
            if first_child >= n {
                b.leaf(primitive, Some(&value))?;
                continue;
            }
            b.open(primitive, Some(&value))?;
            stack.push((i, true));
            for child in (first_child..(first_child + 4).min(n)).rev() {
                stack.push((child, false));
            }
        }
        Ok(())
    })
}

/// A chain of `n` nodes (`n ≥ 1`), each the only child of the one before: node `i` has primitive
/// `i % 128` and value `node_<i>`.
pub fn chain(n: usize) -> Tree {
    build(|b| {
        for i in 0..n {
            let primitive = Primitive::new((i % 128) as u8);
            let value = format!("node_{i}");
            if i + 1 == n {
                b.leaf(primitive, Some(&value))?;
            } else {
                b.open(primitive, Some(&value))?;
            }
        }
        for _ in 1..n {
            b.close()?;
        }
        Ok(())
    })
}

/// Runs `steps` on a fresh builder. The samples are fixed and small enough for a `u32` arena, so
/// a failure here is a bug in this module; it yields an empty tree rather than a panic.
fn build(steps: impl FnOnce(&mut TreeBuilder) -> Result<(), Error>) -> Tree {
    let mut builder = TreeBuilder::new();
    match steps(&mut builder).and_then(|()| builder.finish()) {
        Ok(tree) => tree,
        Err(_) => Tree::new(),
    }
}

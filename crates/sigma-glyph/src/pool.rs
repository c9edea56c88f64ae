//! A thread-safe pool of byte buffers, for encoders on many threads that each need an output
//! buffer per message and hand it on (to a socket, a file) before taking the next.
//!
//! [`BufferPool::get`] gives an empty buffer, reused when one is free; dropping the
//! [`PooledBuffer`] clears it and gives it back. The pool keeps at most `max_buffers` buffers of
//! at most `max_capacity` bytes each, so its memory is bounded however it is used.
//!
//! ```
//! use sigma_glyph::pool::BufferPool;
//!
//! let pool = BufferPool::new(8, 1 << 20);
//! {
//!     let mut buf = pool.get();
//!     buf.extend_from_slice(b"message");
//! } // back in the pool, cleared
//! assert_eq!(pool.free_buffers(), 1);
//! assert!(pool.get().is_empty());
//! ```

use std::ops::{Deref, DerefMut};
use std::sync::Mutex;

/// A bounded pool of `Vec<u8>` buffers shared between threads.
#[derive(Debug)]
pub struct BufferPool {
    free: Mutex<Vec<Vec<u8>>>,
    max_buffers: usize,
    max_capacity: usize,
}

impl BufferPool {
    /// A pool that keeps up to `max_buffers` free buffers of up to `max_capacity` bytes each
    /// (bigger ones are dropped when given back).
    pub fn new(max_buffers: usize, max_capacity: usize) -> BufferPool {
        BufferPool { free: Mutex::new(Vec::new()), max_buffers, max_capacity }
    }

    /// An empty buffer: a free one if the pool has one, else a new one.
    pub fn get(&self) -> PooledBuffer<'_> {
        let buf = self.lock().pop().unwrap_or_default();
        PooledBuffer { buf, pool: self }
    }

    /// How many free buffers the pool holds now.
    pub fn free_buffers(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Vec<u8>>> {
        // A panic while holding the lock leaves only a list of buffers behind: still usable.
        self.free.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn give_back(&self, mut buf: Vec<u8>) {
        if buf.capacity() == 0 || buf.capacity() > self.max_capacity {
            return;
        }
        buf.clear();
        let mut free = self.lock();
        if free.len() < self.max_buffers {
            free.push(buf);
        }
    }
}

/// A buffer on loan from a [`BufferPool`]; it goes back when dropped.
#[derive(Debug)]
pub struct PooledBuffer<'p> {
    buf: Vec<u8>,
    pool: &'p BufferPool,
}

impl PooledBuffer<'_> {
    /// Keeps the buffer instead of giving it back.
    pub fn into_inner(mut self) -> Vec<u8> {
        std::mem::take(&mut self.buf)
    }
}

impl Deref for PooledBuffer<'_> {
    type Target = Vec<u8>;

    fn deref(&self) -> &Vec<u8> {
        &self.buf
    }
}

impl DerefMut for PooledBuffer<'_> {
    fn deref_mut(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }
}

impl Drop for PooledBuffer<'_> {
    fn drop(&mut self) {
        self.pool.give_back(std::mem::take(&mut self.buf));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_come_back_cleared_and_the_pool_stays_bounded() {
        let pool = BufferPool::new(2, 1024);
        let (mut a, mut b, mut c) = (pool.get(), pool.get(), pool.get());
        a.extend_from_slice(&[1; 100]);
        b.extend_from_slice(&[2; 100]);
        c.extend_from_slice(&[3; 2000]); // over max_capacity: dropped, not kept
        drop((a, b, c));
        assert_eq!(pool.free_buffers(), 2);
        let again = pool.get();
        assert!(again.is_empty());
        assert!(again.capacity() >= 100);
        let kept = again.into_inner();
        assert_eq!(pool.free_buffers(), 1, "into_inner keeps the buffer out of the pool");
        assert!(kept.capacity() >= 100);
    }

    #[test]
    fn threads_share_one_pool() {
        let pool = BufferPool::new(4, 1 << 16);
        std::thread::scope(|scope| {
            for t in 0..4u8 {
                let pool = &pool;
                scope.spawn(move || {
                    for _ in 0..1000 {
                        let mut buf = pool.get();
                        assert!(buf.is_empty());
                        buf.push(t);
                    }
                });
            }
        });
        assert!(pool.free_buffers() <= 4);
    }
}

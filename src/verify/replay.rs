//! The Tedee replay memory: which milliseconds of one token were already used.
//!
//! For one token, a millisecond timestamp has exactly one valid key
//! (`sha256hex(token + ms) + ms`), so "which milliseconds were used" is the whole state. It is a
//! bitmap over a sliding range of milliseconds with a *floor*: everything below the floor is
//! stale, whatever the caller's window says.
//!
//! - The floor starts at the moment the memory was created, so a deploy or a restart cannot
//!   reopen keys used before it (they may have been accepted by the memory that was dropped).
//! - The floor follows the highest time ever seen (`high - horizon`), never the current one, so a
//!   clock that steps back cannot reopen a key either, and a check with a short window cannot
//!   drop what a longer window still needs: the horizon is the widest window ever used.
//! - The floor can be raised on purpose ([`ReplayMemory::raise_floor`]): when the verify node keeps
//!   its used milliseconds in an external store (Redis) and reconnects to it, that store may have
//!   lost what was used, so nothing before the reconnection is accepted.
//! - Its size is fixed by the horizon (2 × horizon + 1 bits, 7.5 KB for ±30 s, 900 KB for the
//!   widest allowed window of ±1 h): it can never be full, so a flood of valid keys can never
//!   lock other clients out.

/// Widest window a memory accepts (±1 hour).
pub const MAX_HORIZON_MS: u64 = 3_600_000;

/// What [`ReplayMemory::claim`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// Not used before: now marked as used.
    Fresh,
    /// Used before.
    Replay,
    /// Below the floor: too old to be remembered, refused.
    Stale,
}

/// A bitmap of used milliseconds in `[floor, high + horizon]`, kept in a ring.
#[derive(Debug, Clone)]
pub struct ReplayMemory {
    floor: u64,
    high: u64,
    horizon: u64,
    ring: Vec<u64>,
    used: usize,
}

fn ring_words(horizon: u64) -> usize {
    // 2 × horizon + 1 live bits, plus one spare bit, in whole 64-bit words
    ((2 * horizon + 2).div_ceil(64)) as usize
}

impl ReplayMemory {
    /// A memory created at `created_ms` (its first floor) for windows up to `horizon_ms`
    /// (capped at [`MAX_HORIZON_MS`]).
    pub fn new(created_ms: u64, horizon_ms: u64) -> ReplayMemory {
        let horizon = horizon_ms.min(MAX_HORIZON_MS);
        ReplayMemory { floor: created_ms, high: created_ms, horizon, ring: vec![0; ring_words(horizon)], used: 0 }
    }

    /// Nothing below this millisecond is accepted.
    pub fn floor(&self) -> u64 {
        self.floor
    }

    /// The widest window this memory serves.
    pub fn horizon(&self) -> u64 {
        self.horizon
    }

    /// Milliseconds currently marked as used.
    pub fn used(&self) -> usize {
        self.used
    }

    /// Bytes held by the bitmap.
    pub fn bytes(&self) -> usize {
        self.ring.len() * 8
    }

    fn cap(&self) -> u64 {
        self.ring.len() as u64 * 64
    }

    fn slot(&self, ms: u64) -> (usize, u64) {
        let i = ms % self.cap();
        ((i / 64) as usize, 1u64 << (i % 64))
    }

    /// Serve windows up to `horizon_ms` from now on (never narrows). What was already forgotten
    /// stays forgotten: the floor does not move down.
    pub fn widen(&mut self, horizon_ms: u64) {
        let h = horizon_ms.min(MAX_HORIZON_MS);
        if h <= self.horizon {
            return;
        }
        let mut wider = ReplayMemory { floor: self.floor, high: self.high, horizon: h, ring: vec![0; ring_words(h)], used: 0 };
        let top = self.high + self.horizon;
        let mut ms = self.floor;
        while ms <= top {
            let (w, b) = self.slot(ms);
            if self.ring[w] & b != 0 {
                let (w2, b2) = wider.slot(ms);
                wider.ring[w2] |= b2;
                wider.used += 1;
            }
            ms += 1;
        }
        *self = wider;
    }

    /// Time moves to `now_ms` (only forwards: an earlier time changes nothing).
    pub fn advance(&mut self, now_ms: u64) {
        if now_ms <= self.high {
            return;
        }
        self.high = now_ms;
        let new_floor = now_ms.saturating_sub(self.horizon);
        if new_floor > self.floor {
            self.forget(self.floor, new_floor);
            self.floor = new_floor;
        }
    }

    /// Nothing below `ms` is accepted from now on (time moves to `ms` too). A floor only rises: an
    /// earlier `ms` changes nothing.
    pub fn raise_floor(&mut self, ms: u64) {
        self.advance(ms);
        if ms > self.floor {
            // after advance, ms <= high: the range is inside what the ring holds
            self.forget(self.floor, ms);
            self.floor = ms;
        }
    }

    /// Clear the bits of `[from, to)`.
    fn forget(&mut self, from: u64, to: u64) {
        if self.used == 0 {
            return;
        }
        if to - from >= self.cap() {
            self.ring.iter_mut().for_each(|w| *w = 0);
            self.used = 0;
            return;
        }
        let mut ms = from;
        while ms < to {
            let (w, _) = self.slot(ms);
            let bit = ms % 64;
            let n = (64 - bit).min(to - ms);
            let mask = if n == 64 { u64::MAX } else { ((1u64 << n) - 1) << bit };
            self.used -= (self.ring[w] & mask).count_ones() as usize;
            self.ring[w] &= !mask;
            ms += n;
        }
    }

    /// Whether `ms` lies in the range this memory remembers: from the floor to the highest time
    /// seen plus the horizon.
    pub fn remembers(&self, ms: u64) -> bool {
        ms >= self.floor && ms <= self.high + self.horizon
    }

    /// Mark `ms` as used at time `now_ms`, unless it was used before or lies below the floor.
    /// The caller checks the key's own window first; `ms` above `now + horizon` is refused as
    /// stale too (it cannot be remembered).
    pub fn claim(&mut self, ms: u64, now_ms: u64) -> Claim {
        self.advance(now_ms);
        if !self.remembers(ms) {
            return Claim::Stale;
        }
        let (w, b) = self.slot(ms);
        if self.ring[w] & b != 0 {
            return Claim::Replay;
        }
        self.ring[w] |= b;
        self.used += 1;
        Claim::Fresh
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: u64 = 1_700_000_000_000;

    #[test]
    fn once_each() {
        let mut m = ReplayMemory::new(T0, 30_000);
        assert_eq!(m.claim(T0 + 5, T0 + 10), Claim::Fresh);
        assert_eq!(m.claim(T0 + 5, T0 + 10), Claim::Replay);
        assert_eq!(m.claim(T0 + 6, T0 + 10), Claim::Fresh);
        assert_eq!(m.used(), 2);
    }

    #[test]
    fn floor_starts_at_creation() {
        let mut m = ReplayMemory::new(T0, 30_000);
        assert_eq!(m.claim(T0 - 1, T0), Claim::Stale);
        assert_eq!(m.claim(T0, T0), Claim::Fresh);
    }

    #[test]
    fn a_clock_stepping_back_reopens_nothing() {
        let mut m = ReplayMemory::new(T0, 30_000);
        assert_eq!(m.claim(T0 + 100_000, T0 + 100_000), Claim::Fresh);
        // the clock steps back 10 s: the key is still remembered
        assert_eq!(m.claim(T0 + 100_000, T0 + 90_000), Claim::Replay);
        // and far back: everything below high - horizon is stale
        assert_eq!(m.claim(T0 + 60_000, T0 + 60_000), Claim::Stale);
        assert_eq!(m.floor(), T0 + 70_000);
    }

    #[test]
    fn forgets_only_below_the_floor() {
        let mut m = ReplayMemory::new(T0, 1_000);
        for i in 0..1000 {
            assert_eq!(m.claim(T0 + i, T0 + i), Claim::Fresh);
        }
        assert_eq!(m.used(), 1000);
        m.advance(T0 + 1_500);
        assert_eq!(m.floor(), T0 + 500);
        assert_eq!(m.used(), 500);
        assert_eq!(m.claim(T0 + 499, T0 + 1_500), Claim::Stale);
        assert_eq!(m.claim(T0 + 500, T0 + 1_500), Claim::Replay);
        m.advance(T0 + 1_000_000);
        assert_eq!(m.used(), 0);
    }

    #[test]
    fn never_full_and_bounded() {
        let mut m = ReplayMemory::new(T0, 30_000);
        let bytes = m.bytes();
        // every millisecond of 10 minutes, each accepted exactly once
        for i in 0..600_000u64 {
            let now = T0 + i;
            assert_eq!(m.claim(now, now), Claim::Fresh);
            assert!(m.used() <= 30_001);
        }
        assert_eq!(m.bytes(), bytes);
        assert!(bytes <= 7_504, "{bytes}");
    }

    #[test]
    fn widening_keeps_what_it_knows() {
        let mut m = ReplayMemory::new(T0, 1_000);
        assert_eq!(m.claim(T0 + 10, T0 + 10), Claim::Fresh);
        assert_eq!(m.claim(T0 + 900, T0 + 10), Claim::Fresh);
        m.widen(60_000);
        assert_eq!(m.horizon(), 60_000);
        assert_eq!(m.claim(T0 + 10, T0 + 20), Claim::Replay);
        assert_eq!(m.claim(T0 + 900, T0 + 20), Claim::Replay);
        assert_eq!(m.claim(T0 + 50_000, T0 + 20), Claim::Fresh);
        m.widen(10);
        assert_eq!(m.horizon(), 60_000, "never narrows");
        m.widen(u64::MAX);
        assert_eq!(m.horizon(), MAX_HORIZON_MS);
        assert_eq!(m.used(), 3);
    }

    #[test]
    fn raising_the_floor_forgets_below_it_only() {
        let mut m = ReplayMemory::new(T0, 1_000);
        for i in 0..10 {
            assert_eq!(m.claim(T0 + 100 * i, T0 + 100 * i), Claim::Fresh);
        }
        m.raise_floor(T0 + 450);
        assert_eq!(m.floor(), T0 + 450);
        assert_eq!(m.used(), 5, "500..900 are kept");
        assert_eq!(m.claim(T0 + 400, T0 + 450), Claim::Stale);
        assert_eq!(m.claim(T0 + 449, T0 + 450), Claim::Stale);
        assert_eq!(m.claim(T0 + 450, T0 + 450), Claim::Fresh);
        assert_eq!(m.claim(T0 + 500, T0 + 450), Claim::Replay);
        // never down
        m.raise_floor(T0 + 10);
        assert_eq!(m.floor(), T0 + 450);
        // far ahead: everything forgotten, the time moved with it
        m.raise_floor(T0 + 1_000_000);
        assert_eq!((m.floor(), m.used()), (T0 + 1_000_000, 0));
        assert_eq!(m.claim(T0 + 1_000_000 - 1, T0 + 1_000_000), Claim::Stale);
        assert_eq!(m.claim(T0 + 1_000_500, T0 + 1_000_000), Claim::Fresh);
        // raising it to where advancing put it anyway changes nothing
        let mut n = ReplayMemory::new(T0, 1_000);
        n.advance(T0 + 5_000);
        n.raise_floor(T0 + 4_000);
        assert_eq!(n.floor(), T0 + 4_000);
    }

    #[test]
    fn partial_words_are_cleared_exactly() {
        let mut m = ReplayMemory::new(0, 100);
        for ms in 0..=100 {
            assert_eq!(m.claim(ms, 0), Claim::Fresh);
        }
        for step in [1u64, 3, 7, 63, 64, 65, 130] {
            let now = m.high + step;
            m.advance(now);
            let expected = (m.floor()..=100).count();
            assert_eq!(m.used(), expected, "after advancing to {now}");
        }
    }
}

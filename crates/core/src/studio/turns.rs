//! Whose turn a free studio slot is: the round-robin in waiting order, and
//! the turns kept for computers that have not come for them yet. Pure, so
//! it is tested without a database (`lease::acquire` applies it).

/// Another live computer waiting for slots: what it still wants beyond
/// the slots already kept for it (`owed`), and whether it began waiting
/// before this one.
pub(crate) struct Waiter {
    pub computer: String,
    pub want: i64,
    pub owed: i64,
    pub ahead: bool,
}

/// Where `free` slots go: this computer's, and each other waiter's new
/// ones (kept for it as `owed`).
#[derive(Debug, PartialEq)]
pub(crate) struct Turns {
    pub mine: i64,
    pub others: Vec<i64>,
}

/// Hands out `free` slots: first those already kept for a computer (others'
/// stay free for them; this one, wanting `mine`, takes its `my_owed`), then
/// one per waiting computer per round, those that began waiting earlier
/// before this one and the later ones after, until the slots or the wants
/// run out. A computer with 1,000 queued jobs so gets no more turns than
/// one with 3, however often it asks.
pub(crate) fn turns_of(free: i64, my_owed: i64, mine: i64, others: &[Waiter]) -> Turns {
    let kept: i64 = others.iter().map(|o| o.owed).sum();
    let mut free = (free - kept).max(0);
    let taken = my_owed.min(mine).min(free);
    free -= taken;
    let me = others.iter().filter(|o| o.ahead).count();
    let ahead = others.iter().filter(|o| o.ahead).map(|o| o.want);
    let behind = others.iter().filter(|o| !o.ahead).map(|o| o.want);
    let mut wants: Vec<i64> = ahead.chain(std::iter::once(mine - taken)).chain(behind).collect();
    let mut got = vec![0; wants.len()];
    while free > 0 && wants.iter().any(|w| *w > 0) {
        for (i, w) in wants.iter_mut().enumerate() {
            if free > 0 && *w > 0 {
                *w -= 1;
                got[i] += 1;
                free -= 1;
            }
        }
    }
    let mine = taken + got.remove(me);
    // `got` is now in line order without this one: back to `others`' order.
    let (mut ahead_got, mut behind_got) = (got[..me].iter(), got[me..].iter());
    let others = others.iter().map(|o| if o.ahead { *ahead_got.next().unwrap_or(&0) } else { *behind_got.next().unwrap_or(&0) }).collect();
    Turns { mine, others }
}

#[cfg(test)]
mod tests {
    use super::{turns_of, Turns, Waiter};

    fn waiter(want: i64, owed: i64, ahead: bool) -> Waiter {
        Waiter { computer: String::new(), want, owed, ahead }
    }

    #[test]
    fn free_slots_go_round_robin_in_waiting_order() {
        let mine = |free, ahead: &[i64], me, behind: &[i64]| {
            let others: Vec<Waiter> = ahead.iter().map(|w| waiter(*w, 0, true)).chain(behind.iter().map(|w| waiter(*w, 0, false))).collect();
            turns_of(free, 0, me, &others).mine
        };
        assert_eq!(mine(6, &[], 30, &[]), 6, "alone: every free slot");
        assert_eq!(mine(1, &[3], 30, &[]), 0, "one slot: to the one waiting longer");
        assert_eq!(mine(1, &[], 30, &[3]), 1, "this one waited longer");
        assert_eq!(mine(4, &[1], 30, &[3]), 2, "1 + 1 + 1, then only the two left");
        assert_eq!(mine(6, &[2, 2], 30, &[]), 2);
        assert_eq!(mine(0, &[], 5, &[]), 0);
        assert_eq!(mine(3, &[], 0, &[]), 0);
    }

    #[test]
    fn a_turn_given_to_another_stays_its_own_until_it_comes() {
        // Six slots free up one by one while only the big computer asks:
        // every other one is kept for the small one, however often the
        // big one asks in between.
        let mut small = waiter(3, 0, true);
        let (mut free, mut big_got) = (0, 0);
        for _ in 0..6 {
            free += 1;
            let t = turns_of(free, 0, 24, std::slice::from_ref(&small));
            free -= t.mine;
            big_got += t.mine;
            small.owed += t.others[0];
            small.want -= t.others[0];
            // Served, the small one goes to the back of the line; when
            // the big one is served, the small one is ahead again.
            small.ahead = t.others[0] == 0;
        }
        assert_eq!((big_got, small.owed, free), (3, 3, 3), "the 3 slots kept for the small computer stay free");
        // It comes: it takes its three, the big one none of them.
        assert_eq!(turns_of(3, 3, 3, &[]), Turns { mine: 3, others: vec![] });
        assert_eq!(turns_of(3, 0, 24, &[waiter(0, 3, false)]).mine, 0);
    }

    #[test]
    fn the_others_turns_are_reported_in_their_own_order() {
        let others = [waiter(5, 0, false), waiter(5, 0, true), waiter(5, 1, false)];
        // 1 kept for the third; 5 left: ahead (second) 2, me 1, behind
        // (first, third) 1 each in round 1, then ahead again.
        let t = turns_of(6, 0, 5, &others);
        assert_eq!(t, Turns { mine: 1, others: vec![1, 2, 1] });
    }
}

//! Unit tests of the recovery state machine (recovery.rs).

use super::*;
use speckle_model::protocol::AckResult;

fn policy() -> Policy {
    Policy {
        backoff_min: Duration::from_secs(1),
        backoff_max: Duration::from_secs(5),
        cap_per_hour: 4,
        resend: Duration::from_millis(500),
        stable: Duration::from_secs(3),
        decode_error_limit: 16,
    }
}

fn ms(t: Instant, n: u64) -> Instant {
    t + Duration::from_millis(n)
}

fn healthy() -> Status {
    Status {
        version: 1,
        state: StateBits(StateBits::STARTUP_DONE | StateBits::GATE_OPEN),
        ..Default::default()
    }
}

fn alarm(bits: u8) -> Status {
    Status { alarms: Alarms(bits), ..healthy() }
}

fn ack(seq: u16) -> Ack {
    Ack { cmd_type: FrameType::ClearAlarms.to_u8(), cmd_seq: seq, result: AckResult::Done }
}

/// Runs `due` at `now`, "sending" with consecutive sequence numbers from `seq`.
fn send(r: &mut Recovery, now: Instant, seq: &mut u16) -> Vec<Command> {
    let cmds = r.due(now);
    for c in &cmds {
        r.sent(*c, *seq);
        *seq += 1;
    }
    cmds
}

/// A recovery that the board answers, from Failed at `t` with `wait` ms of backoff.
fn recover(r: &mut Recovery, t: Instant, wait: u64, seq: &mut u16) -> Instant {
    let early = send(r, ms(t, wait - 1), seq);
    assert!(!early.contains(&Command::ClearAlarms), "no CLEAR before the backoff ends");
    let now = ms(t, wait);
    assert!(send(r, now, seq).ends_with(&[Command::ClearAlarms]));
    r.ack(&ack(*seq - 1));
    assert_eq!(
        r.status(&healthy(), now),
        Some("recovered: startup test passed again after CLEAR_ALARMS".into())
    );
    now
}

#[test]
fn set_mode_is_resent_until_status_shows_the_wanted_mode() {
    let t = Instant::now();
    let mut r = Recovery::new(policy(), Mode::Raw);
    let mut seq = 0;
    assert_eq!(send(&mut r, t, &mut seq), vec![Command::SetMode(Mode::Raw)]);
    assert!(send(&mut r, ms(t, 499), &mut seq).is_empty());
    r.status(&healthy(), ms(t, 450));
    assert!(!r.may_flow(), "board still in conditioned mode");
    assert_eq!(send(&mut r, ms(t, 500), &mut seq), vec![Command::SetMode(Mode::Raw)]);
    r.status(&Status { mode: 1, ..healthy() }, ms(t, 600));
    assert!(r.may_flow());
    assert!(send(&mut r, ms(t, 2000), &mut seq).is_empty());
}

#[test]
fn clear_alarms_is_resent_until_acked_and_flow_waits_for_the_startup_test() {
    let t = Instant::now();
    let mut r = Recovery::new(policy(), Mode::Conditioned);
    let mut seq = 10;
    send(&mut r, t, &mut seq);
    r.status(&healthy(), t);
    assert!(r.may_flow());
    assert!(r.status(&alarm(Alarms::LOS), t).unwrap().contains("LOS: recovering in 1.000 s"));
    assert!(!r.may_flow());
    assert!(send(&mut r, ms(t, 999), &mut seq).is_empty());
    assert_eq!(send(&mut r, ms(t, 1000), &mut seq), vec![Command::ClearAlarms]);
    assert_eq!(r.state().name(), "recovering");
    // Dropped: nothing answers; a STATUS from before the clear changes nothing.
    r.status(&healthy(), ms(t, 1100));
    assert!(!r.may_flow());
    assert!(send(&mut r, ms(t, 1499), &mut seq).is_empty());
    assert_eq!(send(&mut r, ms(t, 1500), &mut seq), vec![Command::ClearAlarms]);
    r.ack(&ack(999)); // not one of ours
    r.ack(&Ack { result: AckResult::BadArgument, ..ack(seq - 1) });
    assert_eq!(send(&mut r, ms(t, 2000), &mut seq), vec![Command::ClearAlarms]);
    r.ack(&ack(seq - 2)); // an earlier resend's ACK counts
    assert!(send(&mut r, ms(t, 3000), &mut seq).is_empty(), "no resend after the ACK");
    // Startup test running: no alarm, but not done yet.
    r.status(&Status { state: StateBits(0), ..healthy() }, ms(t, 3100));
    assert!(!r.may_flow());
    r.status(&healthy(), ms(t, 3200));
    assert!(r.may_flow());
    assert_eq!(r.state(), &State::Healthy);
}

#[test]
fn backoff_doubles_to_the_max_then_the_cap_leaves_the_source_failed() {
    let t0 = Instant::now();
    let mut r = Recovery::new(policy(), Mode::Conditioned);
    let mut seq = 0;
    send(&mut r, t0, &mut seq);
    r.status(&healthy(), t0);
    let mut t = t0;
    for wait in [1000, 2000, 4000, 5000] {
        let line = r.status(&alarm(Alarms::RCT), t).unwrap();
        assert!(line.contains(&format!("recovering in {:.3} s", wait as f64 / 1000.0)), "{line}");
        t = recover(&mut r, t, wait, &mut seq);
    }
    let line = r.status(&alarm(Alarms::RCT), t).unwrap();
    assert!(line.contains("recovery cap of 4 per hour reached"), "{line}");
    assert_eq!(r.state().name(), "failed-held");
    assert!(send(&mut r, ms(t, 3_600_000), &mut seq).is_empty(), "held until cleared");
    // The operator's clear retries at once, with the backoff back at MIN.
    r.operator_clear(ms(t, 10)).unwrap();
    assert_eq!(send(&mut r, ms(t, 10), &mut seq), vec![Command::ClearAlarms]);
    r.ack(&ack(seq - 1));
    assert!(r.status(&alarm(Alarms::RCT), ms(t, 20)).unwrap().contains("recovering in 1.000 s"));
}

#[test]
fn the_cap_counts_recoveries_in_the_last_hour_and_stable_health_forgives_them() {
    let t0 = Instant::now();
    let mut r = Recovery::new(Policy { cap_per_hour: 2, ..policy() }, Mode::Conditioned);
    let mut seq = 0;
    send(&mut r, t0, &mut seq);
    r.status(&healthy(), t0);
    // Failing again within `stable` of each recovery: the backoff doubles and the cap binds.
    r.status(&alarm(Alarms::APT), t0);
    let t = recover(&mut r, t0, 1000, &mut seq);
    send(&mut r, ms(t, 2999), &mut seq);
    let line = r.status(&alarm(Alarms::APT), ms(t, 2999)).unwrap();
    assert!(line.contains("recovering in 2.000 s"), "{line}");
    let t = recover(&mut r, ms(t, 2999), 2000, &mut seq);
    assert!(r.status(&alarm(Alarms::APT), t).unwrap().contains("cap of 2 per hour"));
    // Healthy for `stable` after a recovery: the backoff is back at MIN and the cap counts afresh,
    // as often as the source holds between failures.
    let mut r = Recovery::new(Policy { cap_per_hour: 2, ..policy() }, Mode::Conditioned);
    send(&mut r, t0, &mut seq);
    r.status(&healthy(), t0);
    let mut t = t0;
    for _ in 0..5 {
        let line = r.status(&alarm(Alarms::LOS), t).unwrap();
        assert!(line.contains("recovering in 1.000 s"), "{line}");
        t = recover(&mut r, t, 1000, &mut seq);
        t = ms(t, 3000);
        send(&mut r, t, &mut seq);
    }
    // One that fails again at once is counted: the second such recovery reaches the cap.
    r.status(&alarm(Alarms::LOS), t);
    let t = recover(&mut r, t, 1000, &mut seq);
    assert!(r.status(&alarm(Alarms::LOS), t).unwrap().contains("recovering in 2.000 s"));
    let t = recover(&mut r, t, 2000, &mut seq);
    assert!(r.status(&alarm(Alarms::LOS), t).unwrap().contains("cap of 2 per hour"));
    // A recovery an hour old no longer counts.
    let mut r = Recovery::new(Policy { cap_per_hour: 1, ..policy() }, Mode::Conditioned);
    r.fail(Cause::Stale, t0);
    let t = recover(&mut r, t0, 1000, &mut seq);
    assert!(r.fail(Cause::DecodeErrors(9), ms(t, 3_599_999)).unwrap().contains("cap of 1"));
    let mut r = Recovery::new(Policy { cap_per_hour: 1, ..policy() }, Mode::Conditioned);
    r.fail(Cause::Stale, t0);
    let t = recover(&mut r, t0, 1000, &mut seq);
    let line = r.fail(Cause::DecodeErrors(9), ms(t, 3_600_000)).unwrap();
    assert!(
        line.contains("9 decode errors since the last STATUS: recovering in 2.000 s"),
        "{line}"
    );
    assert!(r.fail(Cause::Stale, ms(t, 3_600_001)).is_none(), "already failed");
}

#[test]
fn an_interlock_is_never_cleared_automatically() {
    let t = Instant::now();
    let mut r = Recovery::new(policy(), Mode::Conditioned);
    let mut seq = 0;
    let line = r.status(&alarm(Alarms::EXTERNAL | Alarms::LOS | Alarms::RCT), t).unwrap();
    assert!(line.contains("never cleared automatically"), "{line}");
    for h in 0..48 {
        let cmds = send(&mut r, ms(t, h * 1_800_000), &mut seq);
        assert!(!cmds.contains(&Command::ClearAlarms));
    }
    assert!(!r.may_flow());
    r.operator_clear(t).unwrap();
    assert_eq!(send(&mut r, t, &mut seq), vec![Command::ClearAlarms]);
    r.ack(&ack(seq - 1));
    // Still over-powered: failed and held again.
    assert!(r.status(&alarm(Alarms::EXTERNAL), t).unwrap().contains("interlock"));
    assert_eq!(r.state().name(), "failed-held");
}

#[test]
fn an_attestation_mismatch_is_never_recovered_not_even_by_the_operator() {
    let t = Instant::now();
    let mut r = Recovery::new(policy(), Mode::Conditioned);
    let mut seq = 0;
    r.status(&healthy(), t);
    let line = r.fail(Cause::Attestation("window 512, expected 1024".into()), t).unwrap();
    assert!(line.contains("not recovered automatically"), "{line}");
    assert!(send(&mut r, ms(t, 3_600_000), &mut seq).iter().all(|c| *c != Command::ClearAlarms));
    assert!(r.operator_clear(t).unwrap_err().contains("restart"));
    r.status(&healthy(), t);
    assert!(!r.may_flow());
    // Even from a pending backoff, an attestation mismatch wins.
    let mut r = Recovery::new(policy(), Mode::Conditioned);
    r.fail(Cause::Stale, t);
    r.fail(Cause::Attestation("x".into()), t);
    assert!(send(&mut r, ms(t, 10_000), &mut seq).iter().all(|c| *c != Command::ClearAlarms));
}

#[test]
fn the_flags_give_the_policy_and_bad_values_say_the_form() {
    let p = crate::daemon::recovery_policy(None, None, None).unwrap();
    assert_eq!(
        (p.backoff_min, p.backoff_max, p.cap_per_hour, p.decode_error_limit),
        (Duration::from_secs(1), Duration::from_secs(300), 10, 16)
    );
    let p = crate::daemon::recovery_policy(Some("0.2, 10"), Some(3), Some(0)).unwrap();
    assert_eq!(
        (p.backoff_min, p.backoff_max, p.cap_per_hour, p.decode_error_limit),
        (Duration::from_millis(200), Duration::from_secs(10), 3, 0)
    );
    assert_eq!(p.decode_failure(1_000_000), None, "0: decode errors never fail a source");
    assert_eq!(p.resend, Duration::from_millis(200), "re-sends no slower than MIN");
    for bad in ["1", "2,1", "0,5", "a,b", "1,inf"] {
        let e = crate::daemon::recovery_policy(Some(bad), None, None).unwrap_err();
        assert!(e.contains("give MIN,MAX in seconds"), "{bad}: {e}");
    }
}

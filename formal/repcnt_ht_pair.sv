// Formal wrapper of the generated pair form of speckle_repcnt_ht (DDR profiles: `sample` is [1:0],
// bit 0 the earlier sample), property (c) of docs/formal.md for pairs. Inputs are free every clock.
// The monitor is the single-lane one (formal/repcnt_ht.sv, from docs/blocks/repcnt_ht.md) stepped
// twice per valid pair, bit 0 then bit 1 ("Pair form"); RCT_CUTOFF comes from speckle-model.
`default_nettype none
`include "params.vh"
module repcnt_ht_pair_formal(input wire clock, input wire reset, input wire [1:0] sample,
    input wire sample_valid, input wire clear, input wire stats_clear);
    localparam integer C = `RCT_CUTOFF;
    wire fail;
    wire [15:0] run, max_run;
    wire last_q; // made a port by the `expose` of repcnt_ht_pair.sby (inductive strengthening only)
    speckle_repcnt_ht dut(.clock(clock), .reset(reset), .sample(sample), .sample_valid(sample_valid),
        .clear(clear), .stats_clear(stats_clear), .fail(fail), .run(run), .max_run(max_run),
        .\last$q (last_q));

    reg past_valid = 1'b0;
    always @(posedge clock) past_valid <= 1'b1;

    // Monitor: length of the run of identical samples since reset / clear, saturating at C (a run
    // at or past C never fails again), one single-lane step for bit 0, then one for bit 1.
    reg [15:0] mrun = 16'd0;
    reg mlast = 1'b0;
    // step 0: bit 0 against the previous pair's bit 1
    wire same0 = mrun != 16'd0 && sample[0] == mlast;
    wire [15:0] mrun0 = !same0 ? 16'd1 : (mrun == C ? C[15:0] : mrun + 16'd1);
    // step 1: bit 1 against bit 0 (the run is never empty after step 0)
    wire same1 = sample[1] == sample[0];
    wire [15:0] mrun1 = !same1 ? 16'd1 : (mrun0 == C ? C[15:0] : mrun0 + 16'd1);
    // The sample (bit 0, bit 1) that makes the run exactly C identical samples long.
    wire cth0 = sample_valid && same0 && mrun == C - 1;
    wire cth1 = sample_valid && same1 && mrun0 == C - 1;
    always @(posedge clock) begin
        if (sample_valid) begin
            mlast <= sample[1];
            mrun <= mrun1;
        end
        if (clear || reset) mrun <= 16'd0;
    end

    always @(posedge clock) if (past_valid) begin
        // (c) RCT, pairs: fail strobes (one clock later) exactly for a pair in which bit 0 or bit 1
        // completes C identical samples: never for a shorter run, never twice for one run (not for
        // the pair after, whose samples make it C + 1, C + 2), always for the C-th sample.
        assert (fail == $past((cth0 || cth1) && !reset)); // mutant target: cutoff
        // at most one of the two steps completes C (they cannot both: the run grows by one)
        assert (!$past(cth0 && cth1));
    end
    always @(*) begin
        if (!past_valid) assert (!fail);
        // strengthening, also a property of its own: `run` is the run length after the pair's
        // second sample (while below C), `last$q` the pair's bit 1
        assert (mrun <= C);
        if (mrun < C) assert (run == mrun); else assert (run >= C);
        if (mrun != 16'd0) assert (last_q == mlast);
        // max_run is never below run (both cleared by reset; clear empties only the run)
        assert (max_run >= run);
    end

    // Non-vacuity: a fail on bit 0 and one on bit 1, and a run past C without a second strobe.
    always @(posedge clock) if (past_valid) begin
        cover (fail && $past(cth0));
        cover (fail && $past(cth1));
        cover ($past(fail, 3) && run == C + 4);
    end
endmodule

// Formal wrapper of the generated pair form of speckle_adaptp_ht (DDR profiles: `sample` is [1:0],
// bit 0 the earlier sample), property (c) of docs/formal.md for pairs. Inputs are free every clock.
// The monitor is the single-lane one (formal/adaptp_ht.sv, from docs/blocks/adaptp_ht.md) stepped
// twice per valid pair, bit 0 then bit 1 ("Pair form"); APT_WINDOW and APT_CUTOFF come from
// speckle-model.
`default_nettype none
`include "params.vh"
module adaptp_ht_pair_formal(input wire clock, input wire reset, input wire [1:0] sample,
    input wire sample_valid, input wire clear, input wire stats_clear);
    localparam integer W = `APT_WINDOW;
    localparam integer C = `APT_CUTOFF;
    wire fail, window_done;
    wire [15:0] count, max_count;
    // made ports by the `expose` of adaptp_ht_pair.sby (inductive strengthening only)
    wire [15:0] pair_idx_q, cnt_q;
    wire reference_q;
    speckle_adaptp_ht dut(.clock(clock), .reset(reset), .sample(sample), .sample_valid(sample_valid),
        .clear(clear), .stats_clear(stats_clear), .fail(fail), .count(count), .window_done(window_done),
        .max_count(max_count), .\pair_idx$q (pair_idx_q), .\cnt$q (cnt_q),
        .\reference$q (reference_q));

    reg past_valid = 1'b0;
    always @(posedge clock) past_valid <= 1'b1;

    // Monitor: position in the current W-sample window (in samples), its reference sample (the
    // window's first) and the number of samples equal to it so far; step 0 takes bit 0, step 1
    // bit 1, each exactly as the single-lane monitor takes one sample.
    reg [15:0] mpos = 16'd0, mcnt = 16'd0;
    reg mref = 1'b0;
    wire first0 = mpos == 16'd0;
    wire ref0 = first0 ? sample[0] : mref;
    wire [15:0] mcnt0 = first0 ? 16'd1 : (sample[0] == mref ? mcnt + 16'd1 : mcnt);
    wire hit0 = sample_valid && !first0 && sample[0] == mref && mcnt + 16'd1 == C;
    wire last0 = sample_valid && mpos == W - 1;
    wire [15:0] mpos0 = last0 ? 16'd0 : mpos + 16'd1;
    wire first1 = mpos0 == 16'd0;
    wire [15:0] mcnt1 = first1 ? 16'd1 : (sample[1] == ref0 ? mcnt0 + 16'd1 : mcnt0);
    wire hit1 = sample_valid && !first1 && sample[1] == ref0 && mcnt0 + 16'd1 == C;
    wire last1 = sample_valid && mpos0 == W - 1;
    always @(posedge clock) begin
        if (sample_valid) begin
            mref <= first1 ? sample[1] : ref0;
            mcnt <= mcnt1;
            mpos <= last1 ? 16'd0 : mpos0 + 16'd1;
        end
        if (clear || reset) begin
            mpos <= 16'd0;
            mcnt <= 16'd0;
        end
    end

    always @(posedge clock) if (past_valid) begin
        // (c) APT, pairs: fail strobes (one clock later) exactly for a pair one of whose samples
        // brings the count of samples equal to the window's first up to C, inside the window: so
        // a window whose count reaches C always fails, within it, once; one below C never does.
        assert (fail == $past((hit0 || hit1) && !reset));
        // windows are exactly W samples: window_done strobes for the pair holding the W-th (always
        // its bit 1: windows start at a pair), with the window's final count
        assert (window_done == $past((last0 || last1) && !reset));
        assert (!$past(last0));
        if (window_done) assert (count == $past(mcnt1));
    end
    always @(*) begin
        if (!past_valid) assert (!fail && !window_done);
        // strengthening: windows start at bit 0 (the position is even between pairs), and the
        // block's pair index, count and reference are the monitor's
        assert (mpos < W && mcnt <= W && !mpos[0]);
        if (!first0) assert (mcnt <= mpos);
        assert (pair_idx_q == mpos >> 1 && cnt_q == mcnt);
        if (!first0) assert (reference_q == mref);
    end

    // Non-vacuity (task cover, COVER): with sample_valid every clock, no clear or reset after the
    // first clock and a source stuck at 1 after the window's first pair (assumptions made only in
    // this task, so that the solver follows one trace of ~520 clocks), a window fails on bit 1
    // (first pair 11: the count reaches C = 810, even, at the 810th sample) and one fails on bit 0
    // (first pair 10: the 811th); each window completes with its count >= C.
`ifdef COVER
    always @(*) if (past_valid)
        assume (!reset && sample_valid && !clear && (first0 || sample == 2'b11));
`endif
    // `fail` is remembered so that it is seen with the window's end (the task only checks the last
    // clocks of its unrolling: `skip`).
    reg failed0 = 1'b0, failed1 = 1'b0;
    always @(posedge clock) if (past_valid) begin
        if (fail && $past(hit0)) failed0 <= 1'b1;
        if (fail && $past(hit1)) failed1 <= 1'b1;
    end
    always @(posedge clock) if (past_valid) begin
        cover (failed0 && window_done && count >= C);
        cover (failed1 && window_done && count >= C);
    end
endmodule

// Formal wrapper of the generated speckle_adaptp_ht (SP 800-90B APT), property (c) of docs/formal.md.
// Inputs are free every clock. A monitor written from the block's spec (docs/blocks/adaptp_ht.md)
// tracks the window; APT_WINDOW and APT_CUTOFF come from speckle-model (speckle-hdl --formal-defines).
`default_nettype none
`include "params.vh"
module adaptp_ht_formal(input wire clock, input wire reset, input wire sample, input wire sample_valid,
    input wire clear, input wire stats_clear);
    localparam integer W = `APT_WINDOW;
    localparam integer C = `APT_CUTOFF;
    wire fail, window_done;
    wire [15:0] count, max_count;
    // made ports by the `expose` of adaptp_ht.sby (inductive strengthening only)
    wire [15:0] idx_q, cnt_q;
    wire reference_q;
    speckle_adaptp_ht dut(.clock(clock), .reset(reset), .sample(sample), .sample_valid(sample_valid),
        .clear(clear), .stats_clear(stats_clear), .fail(fail), .count(count), .window_done(window_done),
        .max_count(max_count), .\idx$q (idx_q), .\cnt$q (cnt_q), .\reference$q (reference_q));

    reg past_valid = 1'b0;
    always @(posedge clock) past_valid <= 1'b1;

    // Monitor: position in the current W-sample window, its reference sample (the window's first)
    // and the number of samples equal to it so far.
    reg [15:0] mpos = 16'd0, mcnt = 16'd0;
    reg mref = 1'b0;
    wire first = mpos == 16'd0;
    wire [15:0] mcnt_next = first ? 16'd1 : (sample == mref ? mcnt + 16'd1 : mcnt);
    // The sample whose window count becomes exactly C, and the window's last sample.
    wire hit = sample_valid && !first && sample == mref && mcnt + 16'd1 == C;
    wire last = sample_valid && mpos == W - 1;
    always @(posedge clock) begin
        if (sample_valid) begin
            if (first) mref <= sample;
            mcnt <= mcnt_next;
            mpos <= last ? 16'd0 : mpos + 16'd1;
        end
        if (clear || reset) begin
            mpos <= 16'd0;
            mcnt <= 16'd0;
        end
    end

    always @(posedge clock) if (past_valid) begin
        // (c) APT: fail strobes (one clock later) exactly for the sample that brings the count of
        // samples equal to the window's first up to C, inside the window: so a window whose count
        // reaches C always fails, within it, once; a window that stays below C never does.
        assert (fail == $past(hit && !reset));
        // windows are exactly W samples: window_done strobes for the W-th, with its final count
        assert (window_done == $past(last && !reset));
        if (window_done) assert (count == $past(mcnt_next));
    end
    always @(*) begin
        if (!past_valid) assert (!fail && !window_done);
        // strengthening: the block's window position, count and reference are the monitor's
        assert (mpos < W && mcnt <= W);
        if (!first) assert (mcnt <= mpos);
        assert (idx_q == mpos && cnt_q == mcnt);
        if (!first) assert (reference_q == mref);
    end

    // Non-vacuity (task cover, COVER): with a source stuck at 1, sample_valid every clock and no
    // clear or reset after the first clock (an assumption made only in this task, so that the solver
    // follows one trace of ~1030 clocks), a window fails and the window completes.
`ifdef COVER
    always @(*) if (past_valid) assume (!reset && sample_valid && sample && !clear);
`endif
    // `fail` is remembered so that both are seen in one clock at the window's end (the task only
    // checks the last clocks of its unrolling: `skip`).
    reg failed = 1'b0;
    always @(posedge clock) if (fail) failed <= 1'b1;
    always @(posedge clock) if (past_valid) begin
        cover (failed && window_done && count >= C);
    end
endmodule

// Package load load-tests a webhook receiver the way Coperniq's sender
// would hit it: events at a planned rate whatever the receiver does (an
// open model), each a freshly generated, schema-valid payload with a unique
// eventId, and reports what happened with honest latency.
//
// # Pacing
//
// A run is a sequence of slots, the events of its load profile (a constant
// rate, or stages that ramp), each due at a time computed from the start of
// the run, never by adding intervals, so that there is no drift. One pacer
// wakes once per tick (for every slot at low rates) and releases every slot
// due by then, having generated their payloads while it waited; a fixed
// pool of max-inflight workers claims released slots in order and sends
// them, and sleeps only when none is left. When every worker is busy at a
// slot's time (a slow receiver, or a machine that cannot keep up), the slot
// is sent late by the next free worker, and a slot more than the max
// lateness behind is dropped. Late and dropped sends are counted and
// the report says which side held the load back, instead of the tool
// quietly slowing down; requests in flight, and so connections, never
// exceed max-inflight. (An open-model tool without that bound was measured
// opening 22,000 connections against a stalled receiver and collapsing to a
// third of its rate.)
//
// # Closed loop
//
// WithRate(RateMax, d) (--rate max) asks instead how fast the receiver can
// go, as vegeta -rate 0, bombardier and k6 do: max-inflight workers, each
// sending the next slot's fresh payload as soon as its last answer came,
// for d. There is no pacer and no schedule, so nothing is late or dropped,
// each event counts as due when it left (corrected latency equals raw),
// and the report gives the rate the receiver answered at. It hides a
// stall, as every closed-model tool does: use it to find the rate, and an
// open run below it to see how the receiver treats Coperniq's traffic.
//
// # Client
//
// Requests go through the package's own HTTP/1.1 client: at most
// max-inflight kept-alive connections, the most recently used first; a
// request is one write, a response is read to the end of its body, and a
// body shorter than its Content-Length is a failed attempt
// (delivery.KindCutShort). A kept-alive connection the receiver closed
// is sent on again only when the request provably never reached it (found
// closed before the write, or the write failed); a close after the write
// fails that attempt (eof, reset), as net/http treats a POST. It costs
// about a third of net/http's CPU per
// request, the ceiling of a load test that shares its machine with the
// receiver. Targets that a proxy from HTTP_PROXY or HTTPS_PROXY applies
// to, and runs given WithClient, go through net/http; Report.Client says
// which client sent.
//
// # Latency
//
// Corrected latency runs from a slot's scheduled time to the end of its
// first attempt, so that waiting behind a stalled receiver counts, as wrk2
// and vegeta measure it; raw latency runs from the moment the request left,
// which is what a closed-model tool reports and what hides a stall
// (coordinated omission). Both go into HDR histograms of fixed size, so
// memory stays flat however long the run; the timeline keeps one small
// encoded histogram per interval, its interval widened for long runs.
//
// # Shards and event ids
//
// A shard i of n takes every n-th slot of the run (slots i, i+n, ...), at
// the same times one copy would send them, so n copies at the same options
// together send exactly one copy's load and trigger mix, and [Merge] adds
// their reports up exactly. Event ids come from arithmetic sequences that
// differ per shard and per worker (generator.WithEventIDs), so no two events
// of a run share one, however many copies send it.
//
// The package never prints and never exits: progress goes to an observer
// ([WithObserver]), and reports are written by [Report.WriteText],
// [Report.EncodeJSON] and [Report.WriteHTML] to the caller's writers.
package load

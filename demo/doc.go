// Package demo owns the demo's verdict: it checks what the demo's capture
// receiver recorded against what the delivery engine says it sent. The
// receiver fails the first attempt of every event (fail-first); the demo
// promises that every event then arrived, was valid at the strict level,
// was retried once after its 503, and tells a consistent story (the world
// invariants of scenarios.CheckSequence).
package demo

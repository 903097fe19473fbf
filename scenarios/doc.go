// Package scenarios plays realistic lifecycles (a solar project from sale
// to permission to operate, a request won and turned into a project) and
// renders the webhook events Coperniq would send along the way.
//
// A scenario is a YAML file of named steps. Steps act on a world of
// accounts, requests, projects, phases, work orders, appointments and
// calls, and every event is rendered from that world after the step
// changed it. So across a sequence ids agree, each payload's record is the
// record as it stands at that moment, previousStatus is the work order's
// last currentStatus, a phase completes only after its work orders, the
// record's stage follows its phases, updatedAt and firedAt increase, and
// a won request becomes a project. [CheckSequence] verifies those
// invariants on what a receiver got.
//
// # Format
//
//	name: my-scenario            # optional; default: the file name
//	description: |               # optional; the first line is the summary
//	  What the scenario shows.
//	params: {projects: 3}        # optional whole-number parameters
//	start: 2026-03-31T14:00:00Z  # optional; default: the generator's epoch
//	delivery:                    # optional; how the events should arrive
//	  retry: ci                  #   a retry preset, or
//	  schedule: 1s,5s,30s,5m     #   an explicit backoff
//	  timeout: 2s                #   per attempt (default: the policy's)
//	  timeScale: 1000            #   virtual clock
//	  concurrency: 8             #   attempts in flight, 1 to 1024
//	  recordOrder: true          #   each record's events one at a time
//	  duplicate: 0.2             #   fraction delivered twice
//	  duplicateMode: after       #   or concurrent
//	  reorder: 10                #   shuffle window
//	  jitter: 50ms
//	steps:
//	  - createProject: {name: home, workflow: solar}
//	  - startPhase: {project: home}
//	  - createWorkOrder: {project: home, name: survey, title: Site Survey}
//	  - moveWorkOrder: {workOrder: survey, to: SCHEDULED, after: 2h}
//	  - completeWorkOrder: {workOrder: survey, set: {workOrder.priority: 1}}
//	  - completePhase: {project: home}
//	  - repeat:
//	      count: projects        # a number or a parameter
//	      parallel: true         # iterations overlap in time
//	      stagger: 0..7d         # when each parallel iteration starts
//	      steps: [...]
//
// Each step is a mapping whose one key is its kind; its parameters sit in
// the value. Steps refer to entities created before them by name (project:
// home, workOrder: survey); a repeat's iterations each get their own copy
// of the names created inside it. The steps, the events they fire and
// their parameters:
//
//	createAccount          name                              (no event)
//	createRequest          name, account, trades             REQUEST_CREATED
//	createProject          name, from (a won request), account, trades, workflow
//	                                                         PROJECT_CREATED
//	startPhase             project|request, phase            *_PHASE_STARTED
//	completePhase          project|request                   *_PHASE_COMPLETED
//	slaViolation           project|request, level            *_PHASE_SLA_VIOLATION
//	moveRequest            request, to (a status or stage)   REQUEST_PHASE_COMPLETED,
//	                                                         REQUEST_PHASE_STARTED,
//	                                                         DEAL_STATUS_MOVEMENT
//	moveProject            project, to                       PROJECT_STATUS_MOVEMENT
//	updateProperty         project|request, dealValue        *_PROPERTY_UPDATED
//	createWorkOrder        project|request|account, name, title, field,
//	                       description, status               TASK_CREATED
//	moveWorkOrder          workOrder, to                     TASK_STATUS_MOVEMENT
//	completeWorkOrder      workOrder                         TASK_STATUS_MOVEMENT,
//	                                                         TASK_COMPLETED
//	createAppointment      project|request, name, in         APPOINTMENT_CREATED
//	rescheduleAppointment  appointment, by                   APPOINTMENT_RESCHEDULED
//	logCall                project|request|account, name     CALL_UPSERTED
//	updateCall             call                              CALL_UPSERTED
//
// Every step also takes after: (the delay since the step before it in its
// flow: 90s, 15m, 3h, 2d, 1w, or a range 1d..3d drawn from the seed; each
// kind has a plausible default, and what people do rather than
// automations (SLA checks) falls in working hours, Monday to Friday, in the
// time zone of the record's site, unless the delay is fixed), set:
// (overrides, path: value, or a list of path=value read like the command
// line's --set) and merge: (a JSON Merge Patch), applied to every event
// the step fires.
//
// Work orders belong to the phase in progress when they are created (or
// the next phase to start), and a phase completes only when all of its
// work orders are COMPLETED or CANCELLED. A project's phases start in
// the order of its workflow (the vocabulary's: schemas.Vocabulary), none
// skipped, none repeated; a request moves between its stages with
// moveRequest, whose status is the stage's. A won request becomes a
// project with createProject from:, a new record (the next id and project
// number) with the request's site, contact, trades and value, and the
// request fires no event after (assumed; docs/coperniq.md). A project's
// workflow follows its first trade; give it workflow: or trades: before
// naming one of its phases, or the phase would exist for some seeds and
// not others. Names, kinds and types are checked by Parse, the lifecycle by
// playing the scenario once; both before anything is sent.
//
// The package never prints and never exits.
package scenarios

package scenarios_test

import (
	"fmt"

	"github.com/coperniq-mock/coperniq-mock/scenarios"
)

func ExampleParse() {
	src := []byte(`steps:
  - createProject: {name: home, workflow: solar}
  - startPhase: {project: home}
  - createWorkOrder: {project: home, name: survey, title: Site Survey}
  - moveWorkOrder: {workOrder: survy, to: SCHEDULED}
  - completPhase: {project: home}
`)
	_, err := scenarios.Parse("mine.yaml", src)
	fmt.Println(err)
	// Output:
	// mine.yaml:5:32: no work order named "survy" was created before this step (there are: survey); did you mean survey?
	// mine.yaml:6:5: step "completPhase" isn't one of [createAccount createRequest createProject startPhase completePhase slaViolation moveRequest moveProject updateProperty createWorkOrder moveWorkOrder completeWorkOrder createAppointment rescheduleAppointment logCall updateCall repeat]; did you mean completePhase?
}

func ExampleScenario_Render() {
	src := []byte(`steps:
  - createProject: {name: home, workflow: solar}
  - startPhase: {project: home}
  - createWorkOrder: {project: home, name: call, title: Welcome Call}
  - completeWorkOrder: {workOrder: call}
  - completePhase: {project: home}
`)
	s, err := scenarios.Parse("mine.yaml", src)
	if err != nil {
		panic(err)
	}
	events, err := s.Render(1)
	if err != nil {
		panic(err)
	}
	for _, e := range events {
		fmt.Println(e.TriggerKey, "line", e.Line)
	}
	fmt.Println(scenarios.CheckSequence([][]byte{events[3].Body, events[0].Body, events[1].Body, events[2].Body, events[4].Body, events[5].Body}) == nil)
	// Output:
	// PROJECT_CREATED line 2
	// PROJECT_PHASE_STARTED line 3
	// TASK_CREATED line 4
	// TASK_STATUS_MOVEMENT line 5
	// TASK_COMPLETED line 5
	// PROJECT_PHASE_COMPLETED line 6
	// true
}

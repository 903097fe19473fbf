package generator

// The built-in workflows under the names the tests use.
var (
	solarWorkflow      = defaultWorkflows.projects["solar"]
	roofingWorkflow    = defaultWorkflows.projects["roofing"]
	hvacWorkflow       = defaultWorkflows.projects["hvac"]
	electricalWorkflow = defaultWorkflows.projects["electrical"]
	requestWorkflow    = defaultWorkflows.request
	stageByID          = defaultWorkflows.byID
	openRequestStages  = defaultWorkflows.openRequest
	requestStageStatus = func() []string {
		var out []string
		for _, s := range requestWorkflow.stages {
			out = append(out, s.requestStatus)
		}
		return out
	}()
)

func workflowFor(trades []string) *workflow { return defaultWorkflows.forTrades(trades) }

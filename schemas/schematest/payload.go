package schematest

// Payload is a webhook body as a receiver reads it with encoding/json. It is
// declared here from the fields Coperniq documents, not taken from the
// generator's types, so a test that decodes into it reads what was written
// on the wire. A field that some triggers leave out, or send as null, is a
// pointer: nil says it was not there.
type Payload struct {
	Event struct {
		EventID         int64   `json:"eventId"`
		RecordID        int64   `json:"recordId"`
		TriggerKey      string  `json:"triggerKey"`
		TriggerName     string  `json:"triggerName"`
		FiredAt         string  `json:"firedAt"`
		WorkOrderID     *int64  `json:"workOrderId"`
		CurrentStatus   *string `json:"currentStatus"`
		PreviousStatus  *string `json:"previousStatus"`
		PhaseInstanceID *int64  `json:"phaseInstanceId"`
		PhaseType       *string `json:"phaseType"`
		PhaseTemplateID *int64  `json:"phaseTemplateId"`
		Status          *string `json:"status"`
		OverdueAt       *string `json:"overdueAt"`
		AppointmentID   *int64  `json:"appointmentId"`
		DueDate         *string `json:"dueDate"`
		PreviousDueDate *string `json:"previousDueDate"`
	} `json:"event"`
	Record struct {
		ID            int64   `json:"id"`
		UID           int64   `json:"uid"`
		Type          string  `json:"type"`
		Title         string  `json:"title"`
		Status        *string `json:"status"`
		RequestStatus *string `json:"requestStatus"`
		Stage         *struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"stage"`
		Address     *string `json:"address"`
		City        *string `json:"city"`
		State       *string `json:"state"`
		GeoLocation *struct {
			Lat, Lng float64
		} `json:"geoLocation"`
		Jurisdiction *struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"jurisdiction"`
		Trades       []string `json:"trades"`
		DealValue    *float64 `json:"dealValue"`
		OwnerID      *int64   `json:"ownerId"`
		PrimaryEmail *string  `json:"primaryEmail"`
		PrimaryPhone *string  `json:"primaryPhone"`
		CreatedAt    string   `json:"createdAt"`
		UpdatedAt    string   `json:"updatedAt"`
	} `json:"record"`
	WorkOrder *struct {
		ID             int64   `json:"id"`
		UID            int64   `json:"uid"`
		Title          string  `json:"title"`
		Status         string  `json:"status"`
		RecordID       int64   `json:"recordId"`
		AssigneeID     *int64  `json:"assigneeId"`
		IsField        bool    `json:"isField"`
		StartDate      *string `json:"startDate"`
		EndDate        *string `json:"endDate"`
		CompletionDate *string `json:"completionDate"`
		CreatedAt      string  `json:"createdAt"`
		ModifiedAt     string  `json:"modifiedAt"`
	} `json:"workOrder"`
}

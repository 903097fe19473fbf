package contract

// IDBaseStride lets the external tests tell a run's eventId base from its
// ids.
const IDBaseStride = idBaseStride

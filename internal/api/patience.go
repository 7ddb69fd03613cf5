// patience.go marks background work that may wait for the upstream budget.

package api

import "context"

type patientKey struct{}

// Patient marks ctx as belonging to background work (a sync, a usage
// fetch) that may wait as long as a limiter needs; interactive requests are
// not patient and are refused instead of kept waiting.
func Patient(ctx context.Context) context.Context { return context.WithValue(ctx, patientKey{}, true) }

// IsPatient reports whether ctx was marked by Patient.
func IsPatient(ctx context.Context) bool { v, _ := ctx.Value(patientKey{}).(bool); return v }

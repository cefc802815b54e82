package schema

import (
	"entgo.io/ent"

	"engage/aggregate"
)

// The parents of aggregates record what each query of them read, for the
// request: an aggregate asked for one of them is then computed for all
// those read with it, in the same statements (package aggregate).

func (Question) Interceptors() []ent.Interceptor {
	return []ent.Interceptor{aggregate.RecordLoads()}
}

func (Survey) Interceptors() []ent.Interceptor {
	return []ent.Interceptor{aggregate.RecordLoads()}
}

func (Project) Interceptors() []ent.Interceptor {
	return []ent.Interceptor{aggregate.RecordLoads()}
}

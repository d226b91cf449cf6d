package main

import (
	"fmt"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"
)

type allValidator interface{ ValidateAll() error }

// validateDeep runs ValidateAll on msg and on every message packed in an Any below it (typed_config): the generated
// validators check an Any's type URL at most, never its content. It also refuses negative durations, which Envoy
// rejects at start-up but which few protoc-gen-validate rules forbid (a retry policy's per_try_timeout: -1s).
func validateDeep(msg proto.Message, where string) []error {
	var problems []error
	if v, ok := msg.(allValidator); ok {
		if err := v.ValidateAll(); err != nil {
			for _, problem := range flatten([]error{err}) {
				problems = append(problems, fmt.Errorf("%s%w", where, problem))
			}
		}
	}
	walk(msg.ProtoReflect(), string(msg.ProtoReflect().Descriptor().Name()), func(path string, m proto.Message) {
		switch value := m.(type) {
		case *anypb.Any:
			inner, err := value.UnmarshalNew()
			if err != nil {
				// Unreachable after protojson resolved it, unless the type's extension package is not imported.
				problems = append(problems, fmt.Errorf("%s%s: %w", where, path, err))
				return
			}
			problems = append(problems, validateDeep(inner, fmt.Sprintf("%s%s (%s): ", where, path, value.GetTypeUrl()))...)
		case *durationpb.Duration:
			if value.GetSeconds() < 0 || value.GetNanos() < 0 {
				problems = append(problems, fmt.Errorf("%s%s: duration %s must not be negative", where, path, value.AsDuration()))
			}
		}
	})
	return problems
}

// walk calls visit for each Any and Duration below m, with its field path; it does not descend into them.
func walk(m protoreflect.Message, path string, visit func(string, proto.Message)) {
	m.Range(func(field protoreflect.FieldDescriptor, value protoreflect.Value) bool {
		if field.Kind() != protoreflect.MessageKind && field.Kind() != protoreflect.GroupKind {
			return true
		}
		fieldPath := path + "." + string(field.Name())
		switch {
		case field.IsList():
			list := value.List()
			for i := 0; i < list.Len(); i++ {
				walkMessage(list.Get(i).Message(), fmt.Sprintf("%s[%d]", fieldPath, i), visit)
			}
		case field.IsMap():
			if field.MapValue().Kind() == protoreflect.MessageKind {
				value.Map().Range(func(key protoreflect.MapKey, entry protoreflect.Value) bool {
					walkMessage(entry.Message(), fmt.Sprintf("%s[%v]", fieldPath, key.Interface()), visit)
					return true
				})
			}
		default:
			walkMessage(value.Message(), fieldPath, visit)
		}
		return true
	})
}

func walkMessage(m protoreflect.Message, path string, visit func(string, proto.Message)) {
	switch m.Interface().(type) {
	case *anypb.Any, *durationpb.Duration:
		visit(path, m.Interface())
	default:
		walk(m, path, visit)
	}
}

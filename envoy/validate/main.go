// envoy-validate checks an Envoy v3 bootstrap file without Envoy: it decodes the YAML into go-control-plane's
// Bootstrap (unknown fields are errors), runs the protoc-gen-validate rules of every message, including those
// packed in typed_config (ValidateAll alone stops at an Any), refuses negative durations, and checks that every route names a defined cluster.
// Usage: envoy-validate FILE.yaml. Prints each problem and exits 1 if there is any.
package main

import (
	"errors"
	"fmt"
	"os"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"sigs.k8s.io/yaml"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: envoy-validate FILE.yaml")
		os.Exit(2)
	}
	problems := validateFile(os.Args[1])
	for _, problem := range problems {
		fmt.Fprintln(os.Stderr, problem)
	}
	if len(problems) > 0 {
		os.Exit(1)
	}
	fmt.Printf("%s: valid Envoy v3 bootstrap\n", os.Args[1])
}

func validateFile(path string) []error {
	source, err := os.ReadFile(path)
	if err != nil {
		return []error{err}
	}
	// protojson reads the proto3 JSON mapping, which is what Envoy's YAML is once converted.
	document, err := yaml.YAMLToJSON(source)
	if err != nil {
		return []error{fmt.Errorf("yaml: %w", err)}
	}
	bootstrap := &bootstrapv3.Bootstrap{}
	// DiscardUnknown false: a misspelt field must fail here, as it would fail Envoy at start-up.
	if err := (protojson.UnmarshalOptions{DiscardUnknown: false}).Unmarshal(document, bootstrap); err != nil {
		return []error{fmt.Errorf("decode: %w", err)}
	}
	return append(validateDeep(bootstrap, ""), checkClusterReferences(bootstrap)...)
}

// flatten splits the multi-errors ValidateAll returns, so each rule broken is printed on its own line.
func flatten(list []error) []error {
	var out []error
	for _, err := range list {
		var multi interface{ AllErrors() []error }
		if errors.As(err, &multi) {
			out = append(out, flatten(multi.AllErrors())...)
		} else {
			out = append(out, err)
		}
	}
	return out
}

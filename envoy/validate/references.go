package main

import (
	"fmt"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
)

// checkClusterReferences finds routes whose cluster is not among the static clusters: Envoy refuses such a bootstrap
// (validate_clusters defaults to true for static route tables), but no per-message rule can see it.
func checkClusterReferences(bootstrap *bootstrapv3.Bootstrap) []error {
	clusters := map[string]bool{}
	for _, cluster := range bootstrap.GetStaticResources().GetClusters() {
		clusters[cluster.GetName()] = true
	}
	var problems []error
	for _, listener := range bootstrap.GetStaticResources().GetListeners() {
		for _, chain := range listener.GetFilterChains() {
			for _, filter := range chain.GetFilters() {
				manager := &hcmv3.HttpConnectionManager{}
				if filter.GetTypedConfig().UnmarshalTo(manager) != nil {
					continue // another network filter, or already reported by the decoder
				}
				for _, host := range manager.GetRouteConfig().GetVirtualHosts() {
					for _, route := range host.GetRoutes() {
						name := route.GetRoute().GetCluster()
						if route.GetRoute() != nil && name != "" && !clusters[name] {
							problems = append(problems, fmt.Errorf("listener %q, virtual host %q, route %q: cluster %q is not defined",
								listener.GetName(), host.GetName(), route.GetName(), name))
						}
					}
				}
			}
		}
	}
	return problems
}

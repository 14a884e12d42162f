import CaravanProto

/// The body of a `service-router` entry in Consul's JSON.
enum ServiceRouterJSON {
    static func members(_ router: Caravan_V1_ServiceRouter) -> [(String, OrderedJSON)] {
        [("Routes", .array(router.routes.map(route)))]
    }

    static func route(_ route: Caravan_V1_ServiceRoute) -> OrderedJSON {
        var object = OrderedJSONObject()
        if route.hasMatch {
            var match = OrderedJSONObject()
            if route.match.hasHTTP { match.add("HTTP", http(route.match.http)) }
            object.add("Match", match.json)
        }
        if route.hasDestination { object.add("Destination", destination(route.destination)) }
        return object.json
    }

    static func http(_ http: Caravan_V1_ServiceRouteHTTPMatch) -> OrderedJSON {
        var object = OrderedJSONObject()
        ConfigEntryJSONEncoder.path(&object, exact: http.pathExact, prefix: http.pathPrefix, regex: http.pathRegex)
        ConfigEntryJSONEncoder.headers(&object, http.header)
        if !http.queryParam.isEmpty {
            object.add(
                "QueryParam",
                .array(
                    http.queryParam.map { param in
                        var match = OrderedJSONObject()
                        match.add("Name", param.name)
                        match.add("Present", param.present)
                        match.add("Exact", param.exact)
                        match.add("Regex", param.regex)
                        return match.json
                    }))
        }
        object.add("Methods", strings: http.methods)
        return object.json
    }

    static func destination(_ destination: Caravan_V1_ServiceRouteDestination) -> OrderedJSON {
        var object = OrderedJSONObject()
        object.add("Service", destination.service)
        object.add("ServiceSubset", destination.serviceSubset)
        object.add("Namespace", destination.namespace)
        object.add("PrefixRewrite", destination.prefixRewrite)
        object.add("RequestTimeout", destination.requestTimeout, present: destination.hasRequestTimeout)
        object.add("NumRetries", destination.numRetries)
        object.add("RetryOnConnectFailure", destination.retryOnConnectFailure)
        if !destination.retryOnStatusCodes.isEmpty {
            object.add("RetryOnStatusCodes", .array(destination.retryOnStatusCodes.map { .integer($0) }))
        }
        return object.json
    }
}

/// The body of a `service-resolver` entry in Consul's JSON.
enum ServiceResolverJSON {
    static func members(_ resolver: Caravan_V1_ServiceResolver) -> [(String, OrderedJSON)] {
        var object = OrderedJSONObject()
        object.add("DefaultSubset", resolver.defaultSubset)
        if !resolver.subsets.isEmpty {
            let subsets = resolver.subsets.keys.sorted().map { name in
                var subset = OrderedJSONObject()
                subset.add("Filter", resolver.subsets[name]?.filter ?? "")
                subset.add("OnlyPassing", resolver.subsets[name]?.onlyPassing ?? false)
                return (name, subset.json)
            }
            object.add("Subsets", .object(subsets))
        }
        if resolver.hasRedirect {
            let redirect = resolver.redirect
            var target = OrderedJSONObject()
            target.add("Service", redirect.service)
            target.add("ServiceSubset", redirect.serviceSubset)
            target.add("Namespace", redirect.namespace)
            target.add("Datacenter", redirect.datacenter)
            object.add("Redirect", target.json)
        }
        if !resolver.failover.isEmpty {
            let failovers = resolver.failover.keys.sorted().map { name in
                let failover = resolver.failover[name] ?? Caravan_V1_ServiceResolverFailover()
                var target = OrderedJSONObject()
                target.add("Service", failover.service)
                target.add("ServiceSubset", failover.serviceSubset)
                target.add("Namespace", failover.namespace)
                target.add("Datacenters", strings: failover.datacenters)
                return (name, target.json)
            }
            object.add("Failover", .object(failovers))
        }
        object.add("ConnectTimeout", resolver.connectTimeout, present: resolver.hasConnectTimeout)
        if resolver.hasLoadBalancer { object.add("LoadBalancer", loadBalancer(resolver.loadBalancer)) }
        return object.members
    }

    static func loadBalancer(_ balancer: Caravan_V1_LoadBalancer) -> OrderedJSON {
        var object = OrderedJSONObject()
        object.add("Policy", policyName(balancer.policy))
        if balancer.hasRingHashConfig {
            var config = OrderedJSONObject()
            config.add("MinimumRingSize", balancer.ringHashConfig.minimumRingSize)
            config.add("MaximumRingSize", balancer.ringHashConfig.maximumRingSize)
            object.add("RingHashConfig", config.json)
        }
        if balancer.hasLeastRequestConfig {
            var config = OrderedJSONObject()
            config.add("ChoiceCount", balancer.leastRequestConfig.choiceCount)
            object.add("LeastRequestConfig", config.json)
        }
        if !balancer.hashPolicies.isEmpty { object.add("HashPolicies", .array(balancer.hashPolicies.map(hashPolicy))) }
        return object.json
    }

    static func policyName(_ policy: Caravan_V1_LoadBalancer.Policy) -> String {
        switch policy {
        case .random: "random"
        case .roundRobin: "round_robin"
        case .leastRequest: "least_request"
        case .ringHash: "ring_hash"
        case .maglev: "maglev"
        default: ""
        }
    }

    static func hashPolicy(_ policy: Caravan_V1_HashPolicy) -> OrderedJSON {
        var object = OrderedJSONObject()
        switch policy.field {
        case .header: object.add("Field", "header")
        case .cookie: object.add("Field", "cookie")
        case .queryParameter: object.add("Field", "query_parameter")
        default: break
        }
        object.add("FieldValue", policy.fieldValue)
        if policy.hasCookieConfig {
            var cookie = OrderedJSONObject()
            cookie.add("Session", policy.cookieConfig.session)
            cookie.add("TTL", policy.cookieConfig.ttl, present: policy.cookieConfig.hasTtl)
            cookie.add("Path", policy.cookieConfig.path)
            object.add("CookieConfig", cookie.json)
        }
        object.add("SourceIP", policy.sourceIp)
        object.add("Terminal", policy.terminal)
        return object.json
    }
}

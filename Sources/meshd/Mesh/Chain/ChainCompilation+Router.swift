import CaravanProto

extension ChainCompilation {
    /// The router node: the configured routes in order, then a catch-all to the service itself.
    mutating func routerNode(service: String, router: Caravan_V1_ServiceRouter) throws(ChainCompileError) -> String {
        try requireHTTP(kind: ConfigEntryKind.serviceRouter, service: service)
        var node = Caravan_V1_ChainNode()
        node.type = .router
        node.name = ChainNaming.routerNode(service)
        for (index, route) in router.routes.enumerated() {
            let destination = route.destination
            let target = destination.service.isEmpty ? service : destination.service
            let referrer = "service-router \"\(service)\" Routes[\(index)]"
            var compiled = Caravan_V1_ChainRoute()
            compiled.definition = route
            if destination.serviceSubset.isEmpty {
                compiled.nextNode = try splitterOrResolverNode(service: target, referrer: referrer)
            } else {
                let targetRequest = TargetRequest(
                    service: target, subset: destination.serviceSubset, datacenter: request.datacenter)
                compiled.nextNode = try resolverNode(for: targetRequest, referrer: referrer)
            }
            node.routes.append(compiled)
        }
        var catchAll = Caravan_V1_ChainRoute()
        catchAll.definition.destination.service = service
        catchAll.nextNode = try splitterOrResolverNode(
            service: service, referrer: "service-router \"\(service)\" default route")
        node.routes.append(catchAll)
        nodes[node.name] = node
        return node.name
    }
}

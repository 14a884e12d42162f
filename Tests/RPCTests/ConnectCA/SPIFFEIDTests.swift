import CaravanRPC
import Testing

@Suite("SPIFFE IDs")
struct SPIFFEIDTests {
    @Test("a service identity renders as spiffe://<td>/ns/default/dc/<dc>/svc/<service> and parses back")
    func roundTrip() {
        let id = SPIFFEID(trustDomain: "abc.caravan", datacenter: "dc1", service: "web")
        #expect(id.uri == "spiffe://abc.caravan/ns/default/dc/dc1/svc/web")
        #expect(SPIFFEID(uri: id.uri) == id)
        #expect(SPIFFEID.signingURI(trustDomain: "abc.caravan") == "spiffe://abc.caravan")
    }

    @Test(
        "anything that is not exactly a default-namespace service identity is rejected",
        arguments: [
            "", "abc.caravan/ns/default/dc/dc1/svc/web", "https://abc.caravan/ns/default/dc/dc1/svc/web",
            "spiffe://abc.caravan", "spiffe://abc.caravan/ns/other/dc/dc1/svc/web",
            "spiffe://abc.caravan/ns/default/dc/dc1/svc/web/extra", "spiffe://abc.caravan/ns/default/dc//svc/web",
            "spiffe:///ns/default/dc/dc1/svc/web", "spiffe://abc.caravan/ns/default/dc/dc1/agent/web",
            "spiffe://abc.caravan/ns/default/dc/dc1/svc/web?x=1", "spiffe://abc.caravan/ns/default/dc/dc1/svc/",
        ])
    func rejects(uri: String) {
        #expect(SPIFFEID(uri: uri) == nil)
    }

    @Test("an identity with an unusable part names that part")
    func problem() {
        #expect(SPIFFEID(trustDomain: "td", datacenter: "dc1", service: "web").problem == nil)
        let problem = SPIFFEID(trustDomain: "td", datacenter: "dc1", service: "we/b").problem
        #expect(problem?.contains("service \"we/b\"") == true)
    }
}

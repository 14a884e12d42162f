import CaravanProto
import Scheduler
import Testing

@Test func planNamesItsEvaluation() {
    var evaluation = Caravan_V1_Evaluation()
    evaluation.id = "e1"
    #expect(evaluation.id == "e1")
}

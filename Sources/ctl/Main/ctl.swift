import CaravanDaemon
import CtlCommands

@main
enum Ctl {
    static func main() async {
        await CtlCommand.main(HashiCorpArguments.normalized())
    }
}

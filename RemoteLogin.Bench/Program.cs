using System.CommandLine;
using RemoteLogin.Bench;
using RemoteLogin.Bench.Floor;
using RemoteLogin.Bench.Hosts;
using RemoteLogin.Bench.Micro;
using RemoteLogin.Cli;

var root = ComparisonCommand.CreateRoot();
root.Subcommands.Add(MicroCommand.Create());
root.Subcommands.Add(FloorCommand.Create());
root.Subcommands.Add(Tether.Create());
root.Subcommands.Add(CompanionCommand.Create());
return await CommandLineRunner.RunAsync(root, args);

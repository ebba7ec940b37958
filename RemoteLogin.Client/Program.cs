using System.CommandLine;
using RemoteLogin.Cli;
using RemoteLogin.Client.Concentrator;
using RemoteLogin.Client.Connect;
using RemoteLogin.Client.Load;

var root = new RootCommand("RemoteLogin client: simulated typists against a RemoteLogin daemon, an interactive remote login, and a terminal concentrator.")
{
    LoadCommand.Create(),
    ConnectCommand.Create(),
    ConcentratorCommand.Create(),
};
return await CommandLineRunner.RunAsync(root, args);

using System.CommandLine;
using RemoteLogin.Cli;
using RemoteLogin.Client.Connect;
using RemoteLogin.Client.Load;

var root = new RootCommand("RemoteLogin client: simulated typists against a RemoteLogin daemon, and an interactive remote login.")
{
    LoadCommand.Create(),
    ConnectCommand.Create(),
};
return await CommandLineRunner.RunAsync(root, args);

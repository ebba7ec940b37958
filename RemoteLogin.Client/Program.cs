using System.CommandLine;
using RemoteLogin.Cli;
using RemoteLogin.Client.Load;

var root = new RootCommand("RemoteLogin client: simulated typists against a RemoteLogin daemon.")
{
    LoadCommand.Create(),
};
return await CommandLineRunner.RunAsync(root, args);

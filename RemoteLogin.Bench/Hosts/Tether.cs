using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using RemoteLogin.Native;

namespace RemoteLogin.Bench.Hosts;

/// <summary>
/// <c>RemoteLogin.Bench tether [--env NAME=VALUE].. -- PROGRAM ARGS..</c>: what every program the bench starts on a lab
/// host runs under. The bench's ssh session runs no terminal (a terminal would mangle the daemon's binary-safe pipes),
/// and without one sshd sends no SIGHUP when the session goes: a daemon started there would outlive a bench that was
/// killed, or whose connection dropped. The tether ties the program to the session instead: the program's stdin is
/// relayed from the tether's, and when that ends (the bench closed it, or ssh went away) or the tether is signalled,
/// the program gets SIGTERM (the daemon drains), then, if it is still there after 30 s, its whole tree is killed.
/// </summary>
internal static class Tether
{
    private static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(30);

    public static Command Create()
    {
        var environment = new Option<string[]>("--env")
        {
            Description = "NAME=VALUE set in the program's environment (repeatable)",
            AllowMultipleArgumentsPerToken = false,
        };
        var program = new Argument<string[]>("program") { Description = "PROGRAM ARGS.., after --", Arity = ArgumentArity.OneOrMore };
        var command = new Command("tether", "Run a program for as long as this process's stdin lasts (the bench runs it on lab hosts)")
        {
            Hidden = true,
            Options = { environment },
            Arguments = { program },
        };
        command.SetAction(async (parsed, _) => await RunAsync(parsed.GetValue(program)!, parsed.GetValue(environment) ?? []));
        return command;
    }

    private static async Task<int> RunAsync(string[] command, string[] environment)
    {
        var start = new ProcessStartInfo(command[0])
        {
            UseShellExecute = false,
            // stdout and stderr inherited: the program writes straight into ssh's pipes, with no copy in between.
            RedirectStandardInput = true,
        };
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var setting in environment)
        {
            int equals = setting.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                Console.Error.WriteLine($"tether: --env '{setting}' is not NAME=VALUE");
                return 2;
            }
            start.Environment[setting[..equals]] = setting[(equals + 1)..];
        }

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Before the program starts: a signal that came between its start and these would end the tether by default
        // and leave the program orphaned. Kept, never disposed: a second signal while we stop must not kill us first.
        var registrations = new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGHUP }
            .Select(signal => PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                stop.TrySetResult();
            }))
            .ToArray();
        using var child = new Process { StartInfo = start };
        try
        {
            child.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Console.Error.WriteLine($"tether: cannot start {command[0]}: {e.Message}");
            return 127;
        }
        var input = new Relay(child.StandardInput.BaseStream);
        new Thread(() =>
        {
            input.Run(Console.OpenStandardInput());
            stop.TrySetResult();
        }) { IsBackground = true, Name = "tether stdin" }.Start();

        var exited = child.WaitForExitAsync();
        await Task.WhenAny(exited, stop.Task);
        if (!exited.IsCompleted)
        {
            // Closed on the side: were the program not reading, the relay could be stuck in a write to its full
            // pipe, holding the stdin it would close, and the SIGTERM must not wait for that.
            var closing = Task.Run(input.Close);
            await Task.WhenAny(closing, Task.Delay(TimeSpan.FromSeconds(1)));
            try
            {
                Posix.Terminate(child.Id);
            }
            catch (InvalidOperationException)
            {
                // It exited just now: nothing to signal.
            }
            if (await Task.WhenAny(exited, Task.Delay(GracePeriod)) != exited)
            {
                child.Kill(entireProcessTree: true);
            }
        }
        await exited;
        GC.KeepAlive(registrations);
        return child.ExitCode;
    }

    /// <summary>Copies the tether's stdin to the program's as it arrives, each chunk flushed: the daemon's snapshot requests are lines that must not wait in a buffer.</summary>
    private sealed class Relay(Stream target)
    {
        private readonly Lock _gate = new();
        private bool _closed;

        /// <summary>Until <paramref name="source"/> ends; what the program no longer takes is read and dropped, so the end is still seen.</summary>
        public void Run(Stream source)
        {
            var buffer = new byte[16 * 1024];
            while (true)
            {
                int count;
                try
                {
                    count = source.Read(buffer);
                }
                catch (IOException)
                {
                    count = 0; // ssh's end has gone: the same as the end of input
                }
                if (count == 0)
                {
                    return;
                }
                lock (_gate)
                {
                    if (_closed)
                    {
                        continue;
                    }
                    try
                    {
                        target.Write(buffer, 0, count);
                        target.Flush();
                    }
                    catch (IOException)
                    {
                        // The program closed its stdin or exited; keep reading for the end.
                        _closed = true;
                    }
                }
            }
        }

        /// <summary>Closes the program's stdin, once, so that a program reading it (the daemon's snapshot responder) sees the end too.</summary>
        public void Close()
        {
            lock (_gate)
            {
                if (_closed)
                {
                    return;
                }
                _closed = true;
                try
                {
                    target.Dispose();
                }
                catch (IOException)
                {
                    // Already gone on the program's side.
                }
            }
        }
    }
}

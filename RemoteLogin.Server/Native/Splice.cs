using System.Runtime.InteropServices;

namespace RemoteLogin.Server.Native;

/// <summary>splice(2), pipe2(2) and write(2) on the pipe: moving bytes socket → pipe → socket without them entering user space. .NET has no API for either.</summary>
internal static partial class Splice
{
    private const int EAGAIN = 11;
    private const uint SPLICE_F_MOVE = 1;
    private const uint SPLICE_F_NONBLOCK = 2;
    private const int O_NONBLOCK = 0x800;
    private const int O_CLOEXEC = 0x80000;
    private const int F_GETPIPE_SZ = 1032;

    /// <summary>The outcome of one splice call; the hot path never throws.</summary>
    public readonly record struct Result(long Bytes, int Errno)
    {
        public bool WouldBlock => Errno == EAGAIN;
        public bool Failed => Errno != 0 && Errno != EAGAIN;
        public bool EndOfStream => Errno == 0 && Bytes == 0;
    }

    public static Result Move(int fromFd, int toFd, int maxBytes)
    {
        long moved = splice(fromFd, IntPtr.Zero, toFd, IntPtr.Zero, (nuint)maxBytes, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
        return moved >= 0 ? new Result(moved, 0) : new Result(0, Marshal.GetLastPInvokeError());
    }

    /// <summary>A non-blocking kernel pipe that carries bytes between two splices.</summary>
    public sealed class KernelPipe : IDisposable
    {
        private readonly int[] _fds;

        public KernelPipe()
        {
            _fds = new int[2];
            if (pipe2(_fds, O_NONBLOCK | O_CLOEXEC) != 0)
            {
                throw new IOException($"pipe2 failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
            }
        }

        public int ReadFd => _fds[0];

        public int WriteFd => _fds[1];

        /// <summary>What the pipe holds at most: 64 KB by default, one page once the user has more pipe memory than pipe-user-pages-soft allows.</summary>
        public int Capacity => fcntl(_fds[1], F_GETPIPE_SZ);

        /// <summary>Put bytes from user space into the pipe, for a splice to send on; the pipe must have room for all of them.</summary>
        public Result Fill(ReadOnlySpan<byte> bytes)
        {
            long written = write(WriteFd, bytes, (nuint)bytes.Length);
            return written >= 0 ? new Result(written, 0) : new Result(0, Marshal.GetLastPInvokeError());
        }

        public void Dispose()
        {
            close(_fds[0]);
            close(_fds[1]);
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint splice(int fdIn, IntPtr offIn, int fdOut, IntPtr offOut, nuint len, uint flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int pipe2([Out] int[] fds, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fcntl(int fd, int command);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint write(int fd, ReadOnlySpan<byte> buffer, nuint count);
}

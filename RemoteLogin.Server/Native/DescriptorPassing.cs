using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace RemoteLogin.Server.Native;

/// <summary>
/// sendmsg(2)/recvmsg(2) with SCM_RIGHTS: handing an open descriptor to another process over a Unix domain socket,
/// which .NET has no API for. The receiver gets its own reference to the same open file.
/// </summary>
internal static unsafe partial class DescriptorPassing
{
    private const int SOL_SOCKET = 1;
    private const int SCM_RIGHTS = 1;
    private const int MSG_CTRUNC = 0x8;
    private const int MSG_NOSIGNAL = 0x4000;
    private const int MSG_CMSG_CLOEXEC = 0x40000000;
    private const int EINTR = 4;

    // struct iovec, struct msghdr and one cmsghdr carrying a single int, as laid out on 64-bit Linux.
    [StructLayout(LayoutKind.Sequential)]
    private struct IoVector
    {
        public byte* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MessageHeader
    {
        public void* Name;
        public uint NameLength;
        public IoVector* Vectors;
        public nuint VectorCount;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct OneDescriptorMessage
    {
        public const int Length = 20; // CMSG_LEN(sizeof(int)); the struct's size is CMSG_SPACE(sizeof(int)) = 24

        public nuint ControlLength;
        public int Level;
        public int Type;
        public int Descriptor;
        private readonly int _padding;
    }

    /// <summary>Send <paramref name="descriptor"/> along with the one byte <paramref name="message"/>.</summary>
    public static void Send(Socket channel, SafeHandle descriptor, byte message)
    {
        bool added = false, channelAdded = false;
        descriptor.DangerousAddRef(ref added);
        channel.SafeHandle.DangerousAddRef(ref channelAdded); // a channel closed meanwhile must not lend its number to another socket
        try
        {
            var control = new OneDescriptorMessage
            {
                ControlLength = OneDescriptorMessage.Length,
                Level = SOL_SOCKET,
                Type = SCM_RIGHTS,
                Descriptor = (int)descriptor.DangerousGetHandle(),
            };
            var vector = new IoVector { Base = &message, Length = 1 };
            var header = new MessageHeader { Vectors = &vector, VectorCount = 1, Control = &control, ControlLength = (nuint)sizeof(OneDescriptorMessage) };
            long sent;
            do
            {
                sent = sendmsg((int)channel.SafeHandle.DangerousGetHandle(), &header, MSG_NOSIGNAL);
            }
            while (sent < 0 && Marshal.GetLastPInvokeError() == EINTR);
            if (sent != 1)
            {
                throw new SocketException(Marshal.GetLastPInvokeError());
            }
        }
        finally
        {
            if (added)
            {
                descriptor.DangerousRelease();
            }
            if (channelAdded)
            {
                channel.SafeHandle.DangerousRelease();
            }
        }
    }

    /// <summary>Receive a descriptor sent by <see cref="Send"/>, close-on-exec, owned by the returned handle.</summary>
    public static SafeSocketHandle Receive(Socket channel, out byte message)
    {
        byte payload = 0;
        var control = new OneDescriptorMessage();
        var vector = new IoVector { Base = &payload, Length = 1 };
        var header = new MessageHeader { Vectors = &vector, VectorCount = 1, Control = &control, ControlLength = (nuint)sizeof(OneDescriptorMessage) };
        long received;
        do
        {
            received = recvmsg((int)channel.Handle, &header, MSG_CMSG_CLOEXEC);
        }
        while (received < 0 && Marshal.GetLastPInvokeError() == EINTR);
        if (received < 0)
        {
            throw new SocketException(Marshal.GetLastPInvokeError());
        }
        if (received == 0)
        {
            throw new EndOfStreamException("the channel closed before a descriptor arrived");
        }
        bool carriesOne = header.ControlLength >= OneDescriptorMessage.Length && control.Level == SOL_SOCKET && control.Type == SCM_RIGHTS;
        if ((header.Flags & MSG_CTRUNC) != 0 || !carriesOne)
        {
            if (carriesOne)
            {
                new SafeSocketHandle(control.Descriptor, ownsHandle: true).Dispose(); // installed, but not what was expected
            }
            throw new InvalidDataException("the message carried no descriptor");
        }
        message = payload;
        return new SafeSocketHandle(control.Descriptor, ownsHandle: true);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial long sendmsg(int socket, MessageHeader* message, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial long recvmsg(int socket, MessageHeader* message, int flags);
}

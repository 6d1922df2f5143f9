/* NLMSG_ERROR: acks (error 0, NLM_F_CAPPED, only the request's header) and
 * errors (the whole request unless NETLINK_CAP_ACK) for requests any user may
 * send: an unknown type (EOPNOTSUPP), a link that does not exist (ENODEV), a get
 * naming no link (EINVAL); a message without NLM_F_REQUEST is only acked. */
#include "net_nl.h"

static char buf[65536];

static void answer(int fd, const char *what, unsigned seq, unsigned pid)
{
    int n = nl_recv(fd, buf, sizeof buf);
    struct nlmsghdr *h = (struct nlmsghdr *)buf;
    if (h->nlmsg_type != NLMSG_ERROR) {
        printf("%s: type %d\n", what, h->nlmsg_type);
        return;
    }
    struct nlmsgerr *e = NLMSG_DATA(h);
    printf("%s: error %s flags %#x len %u (datagram %d) seq ok %d pid ok %d echoed type %d len %u\n", what,
           e->error ? en(-e->error) : "0", h->nlmsg_flags, h->nlmsg_len, n, h->nlmsg_seq == seq,
           h->nlmsg_pid == pid, e->msg.nlmsg_type, e->msg.nlmsg_len);
}

int main(void)
{
    unsigned pid;
    int fd = nl_open(&pid);
    struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = 1};
    unsigned seq;

    seq = nl_send(fd, 200, NLM_F_REQUEST, &ifi, sizeof ifi, 0, 0, 0);
    answer(fd, "type 200", seq, pid);
    seq = nl_send(fd, 200, NLM_F_REQUEST | NLM_F_ACK, &ifi, sizeof ifi, 0, 0, 0);
    answer(fd, "type 200 with ack", seq, pid);

    ifi.ifi_index = 0;
    seq = nl_send(fd, RTM_GETLINK, NLM_F_REQUEST, &ifi, sizeof ifi, IFLA_IFNAME, "nosuch0", 8);
    answer(fd, "getlink nosuch0", seq, pid);
    ifi.ifi_index = 99999;
    seq = nl_send(fd, RTM_GETLINK, NLM_F_REQUEST, &ifi, sizeof ifi, 0, 0, 0);
    answer(fd, "getlink index 99999", seq, pid);
    ifi.ifi_index = 0;
    seq = nl_send(fd, RTM_GETLINK, NLM_F_REQUEST, &ifi, sizeof ifi, 0, 0, 0);
    answer(fd, "getlink no index no name", seq, pid);

    /* a reply, then the ack */
    ifi.ifi_index = 1;
    seq = nl_send(fd, RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, &ifi, sizeof ifi, 0, 0, 0);
    nl_recv(fd, buf, sizeof buf);
    printf("getlink lo with ack: reply type %d\n", ((struct nlmsghdr *)buf)->nlmsg_type);
    answer(fd, "getlink lo ack", seq, pid);

    /* not a request: no answer but the ack asked for */
    seq = nl_send(fd, RTM_GETLINK, NLM_F_ACK, &ifi, sizeof ifi, 0, 0, 0);
    answer(fd, "no NLM_F_REQUEST", seq, pid);

    /* a dump with NLM_F_ACK: the DONE is the only end */
    seq = nl_send(fd, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP | NLM_F_ACK, &ifi, sizeof ifi, 0, 0, 0);
    int errors = 0, done = 0;
    while (!done) {
        int n = nl_recv(fd, buf, sizeof buf);
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
            if (h->nlmsg_type == NLMSG_ERROR)
                errors++;
            if (h->nlmsg_type == NLMSG_DONE)
                done = 1;
        }
    }
    printf("dump with ack: errors %d\n", errors);
    SHOW("then nothing", recv(fd, buf, sizeof buf, MSG_DONTWAIT));

    /* NETLINK_CAP_ACK: errors carry only the header */
    int one = 1;
    SHOW("NETLINK_CAP_ACK", setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one));
    ifi.ifi_index = 0;
    seq = nl_send(fd, RTM_GETLINK, NLM_F_REQUEST, &ifi, sizeof ifi, IFLA_IFNAME, "nosuch0", 8);
    answer(fd, "capped getlink nosuch0", seq, pid);

    /* two requests in one datagram are answered in order */
    char two[64];
    memset(two, 0, sizeof two);
    struct nlmsghdr *a = (struct nlmsghdr *)two, *b = (struct nlmsghdr *)(two + 32);
    a->nlmsg_len = b->nlmsg_len = 32;
    a->nlmsg_type = b->nlmsg_type = 200;
    a->nlmsg_flags = b->nlmsg_flags = NLM_F_REQUEST;
    a->nlmsg_seq = 1;
    b->nlmsg_seq = 2;
    SHOW("send two", send(fd, two, sizeof two, 0));
    for (int i = 0; i < 2; i++) {
        nl_recv(fd, buf, sizeof buf);
        struct nlmsghdr *h = (struct nlmsghdr *)buf;
        printf("answer %d: seq %u error %s\n", i, h->nlmsg_seq, en(-((struct nlmsgerr *)NLMSG_DATA(h))->error));
    }
    return 0;
}

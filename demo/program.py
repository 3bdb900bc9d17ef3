"""The program's own words for the demo: program and course pages, the publications' text (their PDFs and
abstracts) and what was said in each recording. Written from the CIT ASSIST program's real structure (its training
topics, courses, Community of Practice, Online Resource Center and technical-assistance focus areas), so the demo
reads like the program and a partner site built on it shows realistic lengths.

Plain data in one format, `Section` (a heading, paragraphs; a list is a bulleted list), which `demo.site` turns
into StreamField bodies and `media_library.pdf.make_report_pdf` into pages.
"""

from media_library.pdf import Section

PROGRAM_PAGES = {
    "program": (
        "About CIT ASSIST",
        "A national program to create or enhance Crisis Intervention Teams in law enforcement agencies.",
        [
            Section(
                "A national program for Crisis Intervention Teams",
                [
                    (
                        "CIT ASSIST (Crisis Intervention Teams Adaptive System of Supports for Implementation of "
                        "Specialized Training) is a national program designed to increase the capacity of law "
                        "enforcement agencies to create or enhance Crisis Intervention Teams (CITs)."
                    ),
                    (
                        "Beginning in 2021, NCPI built the program and has administered it since, in partnership with "
                        "the USDOJ COPS Office, CIT International, Inc., and a national advisory board of experts from "
                        "law enforcement, mental health and advocacy."
                    ),
                ],
            ),
            Section(
                "How we support agencies",
                [
                    (
                        "Support comes in four connected forms, so an agency can learn from peers, train its people "
                        "and get direct help with the questions specific to its community:"
                    ),
                    [
                        "an established Community of Practice of funded agencies that meets every quarter;",
                        "ongoing opportunities for learning and networking;",
                        "access to training and resources, live and self-paced;",
                        "direct technical assistance, customized to each organization's needs.",
                    ],
                ],
            ),
            Section(
                "Who it is for",
                [
                    (
                        "The Community of Practice is made up of the agencies that apply for and receive COPS Office "
                        "funding to improve responses to mental health crises. The self-paced courses and the eGuide "
                        "are open to all public safety, mental and behavioral health and advocacy professionals, and "
                        "to any community stakeholder interested in contemporary crisis response."
                    ),
                ],
            ),
        ],
    ),
    "community-of-practice": (
        "Community of Practice",
        "A problem-solving network of the agencies funded by the COPS Office to improve crisis response.",
        [
            Section(
                "A problem-solving network",
                [
                    (
                        "The foundation of CIT ASSIST is a Community of Practice (CoP): a problem-solving network of "
                        "the agencies that apply for and receive COPS Office funding to improve responses to mental "
                        "health crises."
                    ),
                    (
                        "The CoP gives these agencies a structured way to connect with one another and draw on each "
                        "other's knowledge and experience, so that a question one department is wrestling with can be "
                        "answered by another that has already faced it."
                    ),
                ],
            ),
            Section(
                "Quarterly meetings",
                [
                    (
                        "The group meets virtually each quarter. Members share insights and experiences that help "
                        "overcome common challenges: building partnerships with behavioral health providers, selecting "
                        "and training officers, connecting with 988, and collecting the data that shows what a team "
                        "achieves. Recordings of the meetings are kept in the Online Resource Center for members who "
                        "could not attend."
                    ),
                ],
            ),
            Section(
                "A growing membership",
                [
                    (
                        "Membership grows each year as more agencies apply for and receive COPS Office funding to "
                        "support their work. New members join a network that already holds years of shared practice, "
                        "and bring fresh questions and approaches of their own."
                    ),
                ],
            ),
        ],
    ),
    "online-resource-center": (
        "Online Resource Center",
        "The members-only hub for all CIT ASSIST activities.",
        [
            Section(
                "The hub for CIT ASSIST",
                [
                    (
                        "The hub for all CIT ASSIST activities is the Online Resource Center, which NCPI developed and "
                        "administers for Community of Practice members. It brings together everything a member agency "
                        "uses between meetings."
                    ),
                ],
            ),
            Section(
                "What it houses",
                [
                    [
                        (
                            "Community Discussion Forum: questions, answers and shared documents between member "
                            "agencies."
                        ),
                        "Member Directory: who is doing what, and whom to call about it.",
                        "Resource Library of Publications: guides, briefs, toolkits and templates.",
                        (
                            "CoP Meeting and Webinar Recordings: every quarterly meeting and webinar, with captions "
                            "and transcripts."
                        ),
                        ("Technical Assistance Center: where members request and follow direct technical assistance."),
                    ]
                ],
            ),
            Section(
                "Who can use it",
                [
                    (
                        "The Online Resource Center is for CoP members only. Public webinars and most publications are "
                        "also published openly; meeting recordings and member publications stay inside the center."
                    ),
                ],
            ),
        ],
    ),
    "technical-assistance": (
        "Technical Assistance",
        "Direct technical assistance to support immediate and ongoing CIT implementation efforts.",
        [
            Section(
                "Direct support for implementation",
                [
                    (
                        "NCPI provides direct technical assistance (TA) to the CIT ASSIST Community of Practice to "
                        "support their immediate and ongoing CIT implementation efforts."
                    ),
                    (
                        "TA services span a broad spectrum of topics and delivery modes and can be customized to meet "
                        "each organization's unique needs: from a single call with a subject-matter expert to a "
                        "longer engagement with site visits, document review and follow-up."
                    ),
                ],
            ),
            Section(
                "From short-term guidance to longer engagements",
                [
                    (
                        "Services range from short-term support and guidance to more comprehensive, longer-term "
                        "engagements. A request usually starts with a conversation about what the agency is trying to "
                        "achieve, what it has already tried and who its partners are; the plan follows from there."
                    ),
                ],
            ),
        ],
    ),
    "training": (
        "Training",
        "Facilitator-led live virtual training and self-paced online courses.",
        [
            Section(
                "Live, virtual training",
                [
                    (
                        "CIT ASSIST provides ongoing facilitator-led training events to the Community of Practice on "
                        "topics critical to their work:"
                    ),
                    [
                        "988 Crisis Hotline",
                        "Early Diversion",
                        "Response to Suicidal Subjects",
                        "Deflection",
                        "Best Practices in Co-Response",
                        "Youth in Suicide Crisis",
                        "Overcoming Language Barriers",
                    ],
                    "Recordings of past sessions, with captions and transcripts, stay available in the library.",
                ],
            ),
            Section(
                "Self-paced online training",
                [
                    (
                        "NCPI offers three no-cost, on-demand CIT eLearning courses and an interactive eGuide through "
                        "CIT ASSIST. They are available to all public safety, mental and behavioral health and "
                        "advocacy professionals, and to any other community stakeholder interested in learning about "
                        "contemporary crisis response strategies."
                    ),
                    "The courses can be taken at any pace; the live sessions on the same topics go deeper.",
                ],
            ),
        ],
    ),
}

# Title -> (summary, body).
COURSES = {
    "CIT Foundations: Responding to People in Mental Health Crisis": (
        "The CIT model from first contact to follow-up: recognizing a crisis, de-escalation and officer safety.",
        [
            Section(
                "What you will learn",
                [
                    (
                        "This course introduces the Crisis Intervention Team model and the skills behind it. It "
                        "follows one call from dispatch to follow-up and stops at each decision an officer makes."
                    ),
                    [
                        "Recognizing signs of a mental health crisis and of suicide risk.",
                        "De-escalation: time, distance, tone and listening.",
                        "Keeping the person and the officer safe while slowing the encounter down.",
                        "Handing off to crisis services, and when a transport is the right call.",
                    ],
                ],
            ),
            Section(
                "Who it is for",
                [
                    (
                        "Patrol officers new to CIT, 911 call-takers and dispatchers, and behavioral health partners "
                        "who want to understand how officers are trained to respond."
                    ),
                ],
            ),
        ],
    ),
    "Partnering for Crisis Response: Co-Response and Deflection": (
        (
            "How officers and clinicians respond together, and how agencies connect people to treatment instead of "
            "arrest."
        ),
        [
            Section(
                "What you will learn",
                [
                    (
                        "Co-response and deflection both depend on partners outside the agency. This course explains "
                        "the main models and what it takes to set one up."
                    ),
                    [
                        "Co-responder models: embedded clinicians, follow-up teams and virtual co-response.",
                        "Deflection pathways: officer referral, self-referral and post-overdose outreach.",
                        "Agreements, information sharing and shared training with treatment providers.",
                        "Measuring what the partnership achieves.",
                    ],
                ],
            ),
            Section(
                "Who it is for",
                [
                    (
                        "CIT coordinators, command staff and behavioral health leaders planning or growing a "
                        "partnership."
                    ),
                ],
            ),
        ],
    ),
    "988 and the Crisis Continuum for Public Safety": (
        "Where 988 fits beside 911, mobile crisis and stabilization services, and what it changes for officers.",
        [
            Section(
                "What you will learn",
                [
                    (
                        "988 gives people in crisis a number to call that is not 911. This course shows public safety "
                        "professionals how it connects with the rest of the crisis continuum."
                    ),
                    [
                        "Someone to call, someone to respond, somewhere to go: the crisis continuum.",
                        "Transfers between 911 and 988, and the calls that stay with law enforcement.",
                        "Early diversion at the point of the call.",
                        "Working with the local 988 center and mobile crisis teams.",
                    ],
                ],
            ),
            Section(
                "Who it is for",
                [
                    "911 call-takers and dispatchers, patrol officers and supervisors, and crisis center staff.",
                ],
            ),
        ],
    ),
}

# What each training topic or technical-assistance area is about, for publications on it (their PDFs).
TOPIC_GUIDANCE = {
    "988 Crisis Hotline": [
        Section(
            "Why it matters",
            [
                (
                    "The 988 Suicide & Crisis Lifeline gives people in a mental health or suicidal crisis a number to "
                    "call that is not 911. For law enforcement, it changes which calls reach patrol and opens a route "
                    "to hand a call to trained crisis counselors."
                ),
            ],
        ),
        Section(
            "What coordination looks like",
            [
                (
                    "Agencies that work well with 988 agree with their local crisis center which calls can be "
                    "transferred, how a warm transfer is done, and when a counselor should ask for a police or mobile "
                    "crisis response."
                ),
                [
                    "A written transfer protocol between the 911 center and the 988 center.",
                    "Training for call-takers on recognizing calls that 988 can take.",
                    "A route back to 911 when there is an imminent risk to life.",
                    "Shared data on transfers, outcomes and call-backs.",
                ],
            ],
        ),
        Section(
            "Questions for your team",
            [
                [
                    "Which calls does our 911 center transfer to 988 today, and who decided?",
                    "Do our call-takers and the 988 counselors know each other's procedures?",
                    "How will we know whether transferred callers got the help they needed?",
                ]
            ],
        ),
    ],
    "Early Diversion": [
        Section(
            "Why it matters",
            [
                (
                    "Early diversion keeps people in mental health crisis out of the justice system at the earliest "
                    "point: at the call, on the street, or before booking. Each step earlier saves the person a "
                    "harder path and the agency time."
                ),
            ],
        ),
        Section(
            "Diversion points",
            [
                [
                    "At the call: call-takers route to 988 or mobile crisis when no police response is needed.",
                    "On scene: officers use a crisis center or treatment referral instead of arrest.",
                    "Before booking: a clinician screens and a diversion option is offered.",
                ],
                (
                    "Each point needs somewhere to go: a crisis stabilization unit, a walk-in center or a provider who "
                    "can take a referral at any hour."
                ),
            ],
        ),
        Section(
            "Questions for your team",
            [
                [
                    "Where can an officer take a person in crisis at 2 a.m. on a Sunday?",
                    "Which of our arrests could have been a referral, and what was missing?",
                    "Who screens for diversion before booking, and how quickly?",
                ]
            ],
        ),
    ],
    "Response to Suicidal Subjects": [
        Section(
            "Why it matters",
            [
                (
                    "Calls involving a person at risk of suicide are among the most dangerous for everyone involved. "
                    "Officers who slow the encounter down, listen and ask directly about suicide make safer outcomes "
                    "more likely."
                ),
            ],
        ),
        Section(
            "Practice on scene",
            [
                [
                    "Create time and distance; bring in a CIT officer or clinician early.",
                    "Ask directly about suicide and about access to means.",
                    "Listen more than you speak; avoid ultimatums.",
                    "Plan the handoff: who takes over, and where the person goes.",
                ],
                (
                    "After the call, follow-up contact and peer support for the officers involved matter as much as "
                    "the response itself."
                ),
            ],
        ),
        Section(
            "Questions for your team",
            [
                [
                    "Do our officers practice asking directly about suicide in scenario training?",
                    "Who provides follow-up after a suicide-related call, and within how many days?",
                    "What peer support do officers receive after a difficult call?",
                ]
            ],
        ),
    ],
    "Deflection": [
        Section(
            "Why it matters",
            [
                (
                    "Deflection connects people with substance use or mental health needs to treatment and services "
                    "instead of arrest. It works when officers trust that a referral leads somewhere and providers "
                    "trust that officers will use it."
                ),
            ],
        ),
        Section(
            "Pathways",
            [
                [
                    "Self-referral: a person walks into a station or calls and is connected to treatment.",
                    "Active outreach: officers and partners seek out people who may need services.",
                    "Naloxone-plus: outreach after an overdose response.",
                    "Officer prevention and intervention referrals, with or without a charge held back.",
                ],
                "Rural agencies often combine pathways and rely on telehealth where providers are far away.",
            ],
        ),
        Section(
            "Questions for your team",
            [
                [
                    "Which deflection pathway fits our community and our providers first?",
                    "Which provider will hold intake slots for referrals from officers?",
                    "How will officers learn what happened after they made a referral?",
                ]
            ],
        ),
    ],
    "Best Practices in Co-Response": [
        Section(
            "Why it matters",
            [
                (
                    "In co-response, officers and mental health clinicians respond together to behavioral health "
                    "calls. The officer keeps the scene safe; the clinician assesses and connects the person to care."
                ),
            ],
        ),
        Section(
            "What successful programs share",
            [
                [
                    "Clear criteria for which calls the team takes, agreed with dispatch.",
                    "Joint training, ride-alongs and shared debriefs.",
                    "An information-sharing agreement that respects health privacy.",
                    "Follow-up visits after the crisis, not only the response.",
                    "Data on calls, dispositions and repeat contacts.",
                ],
            ],
        ),
        Section(
            "Questions for your team",
            [
                [
                    "Which calls should the co-responder team take, and how does dispatch know?",
                    "What may officers and clinicians share with each other about a person?",
                    "Who does the follow-up visit, and when?",
                ]
            ],
        ),
    ],
    "Youth in Suicide Crisis": [
        Section(
            "Why it matters",
            [
                (
                    "Young people in suicide crisis need responses adapted to their age: involving parents or "
                    "guardians, schools and youth-serving providers, and avoiding the handcuffs and transport that can "
                    "make a crisis worse."
                ),
            ],
        ),
        Section(
            "Working with schools and families",
            [
                [
                    "Agree with school districts who is called, and when, during the school day.",
                    "Know the youth mobile crisis and stabilization options in your area.",
                    "Talk with the young person, not only about them.",
                    "Plan follow-up with the family and the school after the call.",
                ],
            ],
        ),
        Section(
            "Questions for your team",
            [
                [
                    "Who do our schools call first during the school day?",
                    "Which youth mobile crisis and stabilization services serve our area?",
                    "How do we involve the family and the school after the call?",
                ]
            ],
        ),
    ],
    "Overcoming Language Barriers": [
        Section(
            "Why it matters",
            [
                (
                    "A crisis is harder to de-escalate when the person and the officer do not share a language. "
                    "Misunderstandings can look like non-compliance, and family members pressed into interpreting may "
                    "not convey what the person needs."
                ),
            ],
        ),
        Section(
            "Language access in practice",
            [
                [
                    "Telephone and video interpreters available to officers in the field.",
                    "Dispatch noting the language needed when the call comes in.",
                    "Plain-language cards and translated crisis resources in the patrol car.",
                    "Officers who speak other languages identified and trained for crisis calls.",
                ],
            ],
        ),
        Section(
            "Questions for your team",
            [
                [
                    "Can an officer in the field reach an interpreter in under a minute?",
                    "Which languages do our calls need most often, and do our resources cover them?",
                    "Do our dispatchers record the language needed when a call comes in?",
                ]
            ],
        ),
    ],
    "Data collection and analysis": [
        Section(
            "Why it matters",
            [
                (
                    "Data tells a Crisis Intervention Team's story to command staff, partners and funders, and shows "
                    "where the team should go next. Most agencies already hold more of it than they use."
                ),
            ],
        ),
        Section(
            "What to collect",
            [
                [
                    "Calls with a mental health component, from dispatch and from officers' reports.",
                    "Dispositions: referral, transport, diversion, arrest.",
                    "Use of force and injuries on CIT calls.",
                    "Repeat contacts with the same person.",
                    "Officer training and CIT certification.",
                ],
                (
                    "Start with what is already recorded, add a few fields at a time, and review the numbers with "
                    "partners every quarter."
                ),
            ],
        ),
        Section(
            "Questions for your team",
            [
                [
                    "Which of these fields do our records already hold?",
                    "Who owns the CIT numbers, and who reviews them each quarter?",
                    "Which one measure would our command staff and partners read first?",
                ]
            ],
        ),
    ],
    "Policy development and enhancement": [
        Section(
            "Why it matters",
            [
                (
                    "A written policy makes a Crisis Intervention Team part of how the agency works rather than the "
                    "project of a few committed officers, and it tells partners what they can expect."
                ),
            ],
        ),
        Section(
            "What a CIT policy covers",
            [
                [
                    "The team's purpose and the calls it responds to.",
                    "Selection, training and refresher requirements for CIT officers.",
                    "Dispatch procedures and the role of 988 and mobile crisis.",
                    "Transport, custody and diversion options.",
                    "Documentation and data collection.",
                ],
            ],
        ),
        Section(
            "Questions for your team",
            [
                [
                    "When did we last review our CIT policy with our behavioral health partners?",
                    "Does our policy describe the role of 988 and mobile crisis?",
                    "How do officers learn about changes to the policy?",
                ]
            ],
        ),
    ],
    "CIT leadership competencies": [
        Section(
            "Why it matters",
            [
                (
                    "Teams last when leaders champion them: command staff who make room for training, coordinators who "
                    "keep partners at the table, and supervisors who back officers' decisions on scene."
                ),
            ],
        ),
        Section(
            "Building capacity to last",
            [
                [
                    "A named CIT coordinator with the time to do the job.",
                    "A steering group with behavioral health, advocacy and dispatch.",
                    "Succession plans for the coordinator and the trainers.",
                    "Budget lines for training and the team's equipment.",
                ],
            ],
        ),
        Section(
            "Questions for your team",
            [
                [
                    "Who would run our CIT program if the coordinator left tomorrow?",
                    "Which partners sit on our steering group, and how often does it meet?",
                    "Where do training and equipment costs sit in next year's budget?",
                ]
            ],
        ),
    ],
    "Relationship and consensus building": [
        Section(
            "Why it matters",
            [
                (
                    "A Community of Practice works because its members bring problems and answers to each other. "
                    "The most useful idea often comes from a peer agency that faced the same question a year earlier."
                ),
            ],
        ),
        Section(
            "What members discussed",
            [
                [
                    "Getting treatment providers to the table and keeping them there.",
                    "Officer selection for CIT and refresher training.",
                    "Connecting with the local 988 center.",
                    "Data that command staff and funders actually read.",
                ],
            ],
        ),
        Section(
            "Questions for your team",
            [
                [
                    "Which partner is missing from our table, and who could invite them?",
                    "Which question could a peer agency in the Community of Practice answer for us?",
                    "What have we learned that another member agency could use?",
                ]
            ],
        ),
    ],
}

# Every publication except fact sheets ends with the program it comes from.
PROGRAM_APPENDIX = [
    Section(
        "About CIT ASSIST",
        [
            (
                "CIT ASSIST is a national program designed to increase the capacity of law enforcement agencies to "
                "create or enhance Crisis Intervention Teams. NCPI built and administers it in partnership with the "
                "USDOJ COPS Office, CIT International, Inc., and a national advisory board of experts from law "
                "enforcement, mental health and advocacy."
            ),
            (
                "The program supports agencies through a Community of Practice that meets virtually each quarter, "
                "ongoing learning and networking, training and resources, and direct technical assistance."
            ),
        ],
    ),
    Section(
        "Training",
        [
            (
                "Facilitator-led live virtual training covers the 988 Crisis Hotline, Early Diversion, Response to "
                "Suicidal Subjects, Deflection, Best Practices in Co-Response, Youth in Suicide Crisis and Overcoming "
                "Language Barriers. Three no-cost, on-demand eLearning courses and an interactive eGuide are open to "
                "all public safety, behavioral health and advocacy professionals."
            ),
        ],
    ),
    Section(
        "Technical assistance",
        [
            (
                "Community of Practice members can request direct technical assistance, from short-term guidance to "
                "longer-term engagements, in focus areas including:"
            ),
            [
                "understanding and strengthening the community-wide crisis response system",
                "relationship and consensus building",
                "data collection and analysis",
                "CIT leadership competencies",
                "policy development and enhancement",
                "infrastructure and capacity building",
                "training for law enforcement officers and 911 call-takers and dispatchers",
            ],
        ],
    ),
]

# Publication title -> (what it is for, the guidance it draws on).
PUBLICATIONS = {
    "Building a Crisis Intervention Team: A Starter Guide": (
        (
            "A step-by-step guide for agencies starting a Crisis Intervention Team: who to bring to the table, how to "
            "select and train officers, and how to keep the team going after the first class graduates."
        ),
        ["Relationship and consensus building", "Deflection", "CIT leadership competencies"],
    ),
    "988 and Public Safety: Coordinating Crisis Calls": (
        (
            "How 911 centers, law enforcement and 988 crisis centers share calls: transfer protocols, the calls that "
            "stay with police, and the data each side needs."
        ),
        ["988 Crisis Hotline", "Early Diversion"],
    ),
    "Co-Responder Models: Lessons from the Community of Practice": (
        (
            "What Community of Practice agencies learned setting up co-responder teams with clinicians: models, "
            "agreements, training and follow-up."
        ),
        ["Best Practices in Co-Response", "Relationship and consensus building"],
    ),
    "Deflection Pathways for Law Enforcement": (
        (
            "A brief on the deflection pathways agencies use to connect people to treatment instead of arrest, and "
            "what each pathway asks of officers and providers."
        ),
        ["Deflection"],
    ),
    "Early Diversion at the 911 Call": (
        (
            "The earliest diversion point: how call-takers recognize behavioral health calls and route them to 988 or "
            "mobile crisis."
        ),
        ["Early Diversion"],
    ),
    "Responding to Suicidal Subjects: A Field Brief": (
        (
            "A field brief for patrol officers on calls involving a person at risk of suicide: slowing down, asking "
            "directly, and planning the handoff."
        ),
        ["Response to Suicidal Subjects"],
    ),
    "Youth Crisis Response: Schools and Police Working Together": (
        (
            "Guidance for school districts and police on responding to young people in suicide crisis, before, during "
            "and after the call."
        ),
        ["Youth in Suicide Crisis", "Relationship and consensus building"],
    ),
    "Language Access in Crisis Response": (
        (
            "Key facts on language access during crisis calls: interpreters in the field, dispatch and translated "
            "resources."
        ),
        ["Overcoming Language Barriers"],
    ),
    "Measuring CIT Outcomes: A Data Collection Toolkit": (
        "Forms, fields and a quarterly review routine for measuring what a Crisis Intervention Team achieves.",
        ["Data collection and analysis", "Best Practices in Co-Response"],
    ),
    "CIT Policy Template and Commentary": (
        (
            "A model Crisis Intervention Team policy, section by section, with commentary on the choices an agency "
            "makes when adapting it."
        ),
        ["Policy development and enhancement", "988 Crisis Hotline"],
    ),
    "Sustaining CIT: Leadership and Capacity Building": (
        ("How agencies keep a Crisis Intervention Team going through leadership changes, turnover and budget cycles."),
        ["CIT leadership competencies", "Data collection and analysis"],
    ),
    "Community of Practice Year in Review: Notes for Member Agencies": (
        (
            "For member agencies only: what the Community of Practice discussed in its quarterly meetings this year, "
            "the questions members brought, and the technical assistance they asked for."
        ),
        ["Relationship and consensus building", "Best Practices in Co-Response", "Data collection and analysis"],
    ),
}

# Recording title -> what was said: (speaker, words), one caption cue each.
TRANSCRIPTS = {
    "Community of Practice Meeting: Co-Response Partnerships": [
        ("Facilitator", "Welcome to this quarter's Community of Practice meeting. Today is about co-response."),
        ("Facilitator", "We have three agencies with clinicians riding with officers, at different stages."),
        ("Clinician", "Our clinician is embedded in the patrol division, four days a week, second shift."),
        ("Clinician", "The first month, officers did not call us. Ride-alongs changed that more than any memo."),
        ("CIT coordinator", "We started with follow-up visits only, two days after a crisis call."),
        ("CIT coordinator", "Those visits now make up a third of our team's work, and repeat calls went down."),
        ("Facilitator", "What did your information-sharing agreement cover?"),
        ("Clinician", "Who sees the clinical notes, and who does not. Officers get a disposition, not a diagnosis."),
        ("Facilitator", "Next quarter we will pick this up with dispatch criteria. Thank you all."),
    ],
    "Community of Practice Meeting: Data That Tells Your CIT Story": [
        ("Facilitator", "This session is about data: what you already collect and what your chief reads."),
        ("Analyst", "We added one checkbox to the incident report: mental health component, yes or no."),
        ("Analyst", "With that box we could count CIT calls by shift and by district within a month."),
        ("Lieutenant", "Command staff wanted one number. We gave them diversions per month, with a trend line."),
        ("Facilitator", "How do you count repeat contacts without a name index?"),
        ("Analyst", "Our records system matches on date of birth and address. It is not perfect, but it is close."),
        ("Lieutenant", "Review the numbers with your partners every quarter. They will find the mistakes."),
        ("Facilitator", "The data collection toolkit in the library has the fields we discussed today."),
    ],
    "Webinar: 988 and Law Enforcement": [
        ("Moderator", "Welcome to today's webinar on 988 and law enforcement."),
        ("Crisis center director", "988 is a number for people in crisis that does not send police by default."),
        ("Crisis center director", "Calls with an immediate danger to life go to 911, and we stay on the line."),
        ("Dispatch supervisor", "Going the other way, our call-takers transfer calls with no safety concern to 988."),
        ("Dispatch supervisor", "A warm transfer: the call-taker stays on until the counselor has the caller."),
        ("Moderator", "What did you put in writing?"),
        ("Dispatch supervisor", "A two-page protocol: which calls, how to transfer, and when to send a unit anyway."),
        ("Moderator", "Questions are welcome in the chat. The slides will be in the resource library."),
    ],
    "Webinar: Deflection in Rural Agencies": [
        ("Moderator", "Today: deflection when the nearest treatment provider is an hour away."),
        ("Sheriff's deputy", "We cover a whole county with two deputies on the night shift."),
        ("Sheriff's deputy", "Our deflection starts with a tablet: a telehealth counselor on video at the scene."),
        ("Treatment provider", "We hold two intake slots a week for referrals from the sheriff's office."),
        ("Treatment provider", "Without those held slots, a referral on a Friday night means nothing."),
        ("Moderator", "Which pathway did you start with?"),
        ("Sheriff's deputy", "Self-referral at the substation. People walked in before we ever went out to them."),
        ("Moderator", "Thank you both. The deflection brief in the library lists the pathways we mentioned."),
    ],
    "Webinar: Youth in Suicide Crisis": [
        ("Moderator", "Welcome. Today's topic is young people in suicide crisis."),
        ("School counselor", "Most of our calls come during the school day, from a teacher who overheard something."),
        ("School counselor", "We agreed with the police who is called first: us, then the youth mobile team."),
        ("School resource officer", "When I do respond, I leave the handcuffs out of it unless safety requires them."),
        ("School resource officer", "I talk with the student, not only about them. They notice the difference."),
        ("Moderator", "What happens the next day?"),
        ("School counselor", "A re-entry meeting with the family before the student comes back to class."),
        ("Moderator", "Thank you. The youth crisis guide covers the agreement with the school district."),
    ],
    "Training: Early Diversion Strategies for Patrol": [
        ("Facilitator", "Welcome to the early diversion training. We start at the moment the call comes in."),
        ("Facilitator", "Every diversion point needs somewhere to go. Who knows their crisis center's hours?"),
        ("Patrol sergeant", "Ours takes drop-offs around the clock. Officers are back in service in fifteen minutes."),
        ("Facilitator", "Compare that with an emergency room, where officers often wait for hours."),
        ("Crisis center manager", "We accept anyone an officer brings, with no medical clearance needed first."),
        ("Patrol sergeant", "That one rule is why our officers use it instead of booking."),
        ("Facilitator", "Next, the pre-booking screen: what it asks, and who makes the call."),
        ("Facilitator", "We will work through three scenarios in small groups after the break."),
    ],
}

# The facilitators' and authors' biographies (the demo's people are fictional; their roles are the program's).
BIOS = {
    "Dana Whitfield": (
        "Dana facilitates CIT ASSIST's live virtual trainings and the Community of Practice's quarterly meetings, "
        "after years coordinating a Crisis Intervention Team in a mid-sized police department."
    ),
    "Marcus Ortega": (
        "Marcus coordinates CIT programs with agencies across the country and teaches the 40-hour CIT course to "
        "officers, dispatchers and their behavioral health partners."
    ),
    "Priya Raman": (
        "Priya is a licensed clinical social worker on a co-responder team, riding with patrol officers and "
        "following up with people after a crisis call."
    ),
    "Lt. Anne Kowalski": (
        "Anne leads her department's Crisis Intervention Team, from officer selection and training to the "
        "partnership with the local crisis center and 988."
    ),
    "Dr. Samuel Greene": (
        "Samuel directs research on crisis response and helps member agencies collect and read the data that "
        "shows what their teams achieve."
    ),
    "Elena Vasquez": (
        "Elena advises agencies on language access during crisis calls: interpreters in the field, dispatch "
        "procedures and translated resources."
    ),
}
